// Flex Consumption (FC1) Linux function app running dotnet-isolated 10.0.
// Every app setting the code binds (the options classes under functions/, ":" written as "__") is
// set here; a consistency test checks it. Secrets come from Key Vault references.
// Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION app settings:
// the runtime is declared in functionAppConfig.runtime instead.

param functionAppName string
param planName string
param location string
param tags object

@description('Resource ID of the user-assigned identity.')
param identityId string
@description('Client ID of the user-assigned identity (for the identity-based connections).')
param identityClientId string

param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string
param deploymentContainerUrl string

param applicationInsightsConnectionString string

@description('Log Analytics workspace for the site\'s platform logs.')
param logAnalyticsWorkspaceId string

@description('IPv4 CIDR ranges allowed to reach the site; empty: no restriction.')
param allowedSourceAddressPrefixes array

@description('Key Vault URI, ending in "/".')
param vaultUri string
@description('Secret names, as output by keyvault.bicep.')
param secretNames object

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int
@minValue(0)
@maxValue(1000)
@description('Always-ready instances of the "http" group (every HTTP function); 0: none.')
param httpAlwaysReadyInstanceCount int

// App settings (docs/interfaces.md)
param googleBaseUrl string
param accountIds string
param idempotencyRetentionDays int
param referenceNumberValidityHours int
param fundsReservationValidityHours int
param finishingMaxAttempts int
param finishingRetryBaseMilliseconds int
param finishingRelayGraceSeconds int
param finishingMaxBacklog int
param finishingBreakerBreakSeconds int
param finishingBreakerFailurePercent int
param finishingBreakerMinimumThroughput int
param finishingBreakerSamplingSeconds int
param finishingBreakerMaxConcurrentCalls int
@allowed([
  'Pgp'
  'Jwe'
])
param securityMode string
@allowed([
  'None'
  'CrmCom'
])
param backOfficeProvider string
param crmComBaseUrl string
param crmComUsername string
param crmComOrganisation string
param crmComPaymentCancellationType string
param crmComRefundType string

// Key Vault reference to the latest version of a secret: '${kvPrefix}<secret name>/)'.
// Versionless: the platform refetches it within a day, at once on a configuration change or the
// config/configreferences/appsettings/refresh call; a restart alone does not (docs/deploy.md).
var kvPrefix = '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/'

var usePgp = securityMode == 'Pgp'
var useJwe = securityMode == 'Jwe'
var useCrmCom = backOfficeProvider == 'CrmCom'

var appSettings = [
  // Functions host storage: identity-based (shared keys are off on the account).
  {
    name: 'AzureWebJobsStorage__credential'
    value: 'managedidentity'
  }
  {
    name: 'AzureWebJobsStorage__clientId'
    value: identityClientId
  }
  {
    name: 'AzureWebJobsStorage__blobServiceUri'
    value: storageBlobEndpoint
  }
  {
    name: 'AzureWebJobsStorage__queueServiceUri'
    value: storageQueueEndpoint
  }
  {
    name: 'AzureWebJobsStorage__tableServiceUri'
    value: storageTableEndpoint
  }

  // Telemetry with Entra ID authentication (local auth is off on the component).
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: applicationInsightsConnectionString
  }
  {
    name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
    value: 'ClientId=${identityClientId};Authorization=AAD'
  }

  // The site root is the base URL given to Google: no Functions welcome page there.
  {
    name: 'AzureWebJobsDisableHomepage'
    value: 'true'
  }

  // Hosting environment: Production, so Security:Mode=None is refused.
  {
    name: 'AZURE_FUNCTIONS_ENVIRONMENT'
    value: 'Production'
  }
  {
    name: 'DOTNET_ENVIRONMENT'
    value: 'Production'
  }

  // The app's tables and queues (Connection = "PaymentsStorage"): identity-based form of the
  // "PaymentsStorage" setting. The connection-string form is deliberately not set in Azure. Not
  // "Storage": the host reads a connection X as AzureWebJobsX first, which would be its own storage.
  {
    name: 'PaymentsStorage__tableServiceUri'
    value: storageTableEndpoint
  }
  {
    name: 'PaymentsStorage__queueServiceUri'
    value: storageQueueEndpoint
  }
  {
    name: 'PaymentsStorage__credential'
    value: 'managedidentity'
  }
  {
    name: 'PaymentsStorage__clientId'
    value: identityClientId
  }
  // Storage client timeouts and retries (StorageClientOptions; today's defaults).
  {
    name: 'Storage__MaxRetries'
    value: '4'
  }
  {
    name: 'Storage__RetryDelay'
    value: '00:00:00.200'
  }
  {
    name: 'Storage__MaxRetryDelay'
    value: '00:00:10'
  }
  {
    name: 'Storage__NetworkTimeout'
    value: '00:00:30'
  }
  {
    name: 'Storage__MaxConnectionsPerServer'
    value: '256'
  }
  // Table and queue names (StorageNamesOptions): no prefix in Azure, so the names storage.bicep creates.
  // The queue triggers read the queue settings (%Storage:RefundsQueue% …); they must equal prefix + name.
  {
    name: 'Storage__NamePrefix'
    value: ''
  }
  {
    name: 'Storage__RefundsQueue'
    value: 'refunds'
  }
  {
    name: 'Storage__ReservationCancellationsQueue'
    value: 'reservation-cancellations'
  }
  {
    name: 'Storage__NotificationsQueue'
    value: 'notifications'
  }
  {
    name: 'Storage__StatementsQueue'
    value: 'statements'
  }
  {
    name: 'Storage__BookingsQueue'
    value: 'bookings'
  }

  {
    name: 'Payments__AccountIds'
    value: accountIds
  }
  {
    name: 'Payments__IdempotencyRetentionDays'
    value: string(idempotencyRetentionDays)
  }
  {
    name: 'Payments__ReferenceNumberValidityHours'
    value: string(referenceNumberValidityHours)
  }
  {
    name: 'Payments__FundsReservationValidityHours'
    value: string(fundsReservationValidityHours)
  }
  {
    name: 'Finishing__MaxAttempts'
    value: string(finishingMaxAttempts)
  }
  {
    name: 'Finishing__RetryBaseMilliseconds'
    value: string(finishingRetryBaseMilliseconds)
  }
  {
    name: 'Finishing__RelayGraceSeconds'
    value: string(finishingRelayGraceSeconds)
  }
  {
    name: 'Finishing__MaxBacklog'
    value: string(finishingMaxBacklog)
  }
  {
    name: 'Finishing__CircuitBreaker__BreakSeconds'
    value: string(finishingBreakerBreakSeconds)
  }
  {
    name: 'Finishing__CircuitBreaker__FailurePercent'
    value: string(finishingBreakerFailurePercent)
  }
  {
    name: 'Finishing__CircuitBreaker__MinimumThroughput'
    value: string(finishingBreakerMinimumThroughput)
  }
  {
    name: 'Finishing__CircuitBreaker__SamplingSeconds'
    value: string(finishingBreakerSamplingSeconds)
  }
  {
    name: 'Finishing__CircuitBreaker__MaxConcurrentCalls'
    value: string(finishingBreakerMaxConcurrentCalls)
  }

  // Only the active scheme's keys are referenced, so an unused, never-set secret cannot leave an
  // unresolved reference in a setting the app reads.
  {
    name: 'Security__Mode'
    value: securityMode
  }
  {
    name: 'Security__Pgp__IntegratorPrivateKeys'
    value: usePgp ? '${kvPrefix}${secretNames.pgpIntegratorPrivateKeys}/)' : ''
  }
  {
    name: 'Security__Pgp__Passphrase'
    value: usePgp ? '${kvPrefix}${secretNames.pgpPassphrase}/)' : ''
  }
  {
    name: 'Security__Pgp__GooglePublicKeys'
    value: usePgp ? '${kvPrefix}${secretNames.pgpGooglePublicKeys}/)' : ''
  }
  {
    name: 'Security__Jwe__IntegratorPrivateKeys'
    value: useJwe ? '${kvPrefix}${secretNames.jweIntegratorPrivateKeys}/)' : ''
  }
  {
    name: 'Security__Jwe__GooglePublicKeys'
    value: useJwe ? '${kvPrefix}${secretNames.jweGooglePublicKeys}/)' : ''
  }

  {
    name: 'Google__BaseUrl'
    value: googleBaseUrl
  }
  {
    name: 'Google__Timeout'
    value: '00:00:10'
  }

  {
    name: 'BackOffice__Provider'
    value: backOfficeProvider
  }
  {
    name: 'BackOffice__SynchronousBookingTimeout'
    value: '00:00:03'
  }
  {
    name: 'BackOffice__CrmCom__BaseUrl'
    value: crmComBaseUrl
  }
  {
    name: 'BackOffice__CrmCom__Username'
    value: crmComUsername
  }
  {
    name: 'BackOffice__CrmCom__Password'
    value: useCrmCom ? '${kvPrefix}${secretNames.crmComPassword}/)' : ''
  }
  {
    name: 'BackOffice__CrmCom__Organisation'
    value: crmComOrganisation
  }
  {
    name: 'BackOffice__CrmCom__Unit'
    value: ''
  }
  {
    name: 'BackOffice__CrmCom__PaymentCancellationType'
    value: crmComPaymentCancellationType
  }
  {
    name: 'BackOffice__CrmCom__RefundType'
    value: crmComRefundType
  }
  {
    name: 'BackOffice__CrmCom__PaymentType'
    value: 'Payment'
  }
  {
    name: 'BackOffice__CrmCom__PaymentMethod'
    value: 'Google Pay'
  }
  {
    name: 'BackOffice__CrmCom__AccountsReceivable'
    value: 'Google'
  }
  {
    name: 'BackOffice__CrmCom__Timeout'
    value: '00:00:10'
  }
  {
    name: 'BackOffice__CrmCom__TokenRefreshAfter'
    value: '00:50:00'
  }

  // The app's own key of the internal routes (x-internal-key), checked in the app after the
  // Functions host's key check: any host key alone opens nothing internal (docs/deploy.md).
  {
    name: 'Internal__ApiKey'
    value: '${kvPrefix}${secretNames.internalApiKey}/)'
  }
]

// Flex Consumption's per-function-group always-ready instances: "http" covers every HTTP function
// (Google's protocol methods, the internal routes, health), so Google's first call after a quiet
// spell finds a warm instance. The queue and timer functions start on demand.
var httpAlwaysReady = [
  {
    name: 'http'
    instanceCount: httpAlwaysReadyInstanceCount
  }
]

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true // Linux
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    // Transport as Google checks it (docs/deploy.md, transport): HTTPS only (http is redirected),
    // TLS 1.2 or newer. No TLS client certificate in either security mode: Google authenticates
    // its calls by their PGP or JWS signature, not at the TLS layer.
    httpsOnly: true
    clientCertEnabled: false
    // Key Vault references resolve with the user-assigned identity (default would be system-assigned).
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: appSettings
      // Optional network isolation: only the listed ranges reach the app (the scm site keeps its own
      // rules; it takes Entra ID only, basic auth being off below).
      ipSecurityRestrictionsDefaultAction: empty(allowedSourceAddressPrefixes) ? 'Allow' : 'Deny'
      ipSecurityRestrictions: [
        for (prefix, i) in allowedSourceAddressPrefixes: {
          name: 'allowed-${i}'
          ipAddress: prefix
          action: 'Allow'
          priority: 100 + i
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: httpAlwaysReadyInstanceCount > 0 ? httpAlwaysReady : []
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// Publishing takes Entra ID only: no user name and password for the scm (Kudu, zip deploy) and
// FTP endpoints.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource platformLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: site
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
