// The integrator side of Google Standard Payments on Azure Functions (Flex Consumption).
// Deploy into an existing resource group:
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.bicepparam
// See docs/deploy.md. Self-contained: only local modules, no registry references.

targetScope = 'resourceGroup'

@minLength(1)
@maxLength(12)
@description('Short environment name (e.g. sandbox, prod); part of every resource name. Letters, digits, dashes.')
param environmentName string

@description('Azure region. Must offer the Flex Consumption plan.')
param location string = resourceGroup().location

@allowed([
  'https://vgw.sandbox.google.com/gsp'
  'https://vgw.googleapis.com/gsp'
])
@description('Base of the Google-hosted calls (notifications): the sandbox or production gateway. Sandbox and production never share keys or data.')
param googleBaseUrl string = 'https://vgw.sandbox.google.com/gsp'

@minLength(1)
@description('Comma-separated PIAIDs (paymentIntegratorAccountId) this deployment serves; any other is INVALID_IDENTIFIER.')
param paymentIntegratorAccountIds string

@minValue(1)
@description('How many days request (idempotency) records are kept.')
param idempotencyRetentionDays int = 400

@minValue(1)
@description('How many hours a generated reference number can be paid at a store.')
param referenceNumberValidityHours int = 168

@minValue(1)
@description('How many hours a funds reservation holds before it lapses.')
param fundsReservationValidityHours int = 168

@minValue(1)
@description('Attempts per finishing step (back-office booking, notification to Google) before the operation is parked for an operator.')
param finishingMaxAttempts int = 10

@minValue(1)
@description('First retry delay of a finishing step in milliseconds; doubles per attempt.')
param finishingRetryBaseMilliseconds int = 2000

@minValue(1)
@description('Seconds after which the outbox relay re-enqueues an unfinished operation that has not moved.')
param finishingRelayGraceSeconds int = 60

@minValue(0)
@description('Work queue depth (refunds + reservation cancellations + notifications) at which new asynchronous calls are answered 503 and Google retries them later; 0 never sheds. Azure Queue Storage does not slow down with depth, so the default is off.')
param finishingMaxBacklog int = 0

// The finishing workers' circuit breakers, one per dependency (CRM.COM, Google's notification endpoint), per instance.
@minValue(1)
@description('Seconds an open circuit breaker keeps calls away from its dependency before one probe; deferred work comes back after about this long without spending an attempt.')
param finishingBreakerBreakSeconds int = 30

@minValue(1)
@maxValue(100)
@description('Percentage of dependency-level failures (timeouts, transport errors, 5xx) among the calls of the sampling window that opens a circuit breaker.')
param finishingBreakerFailurePercent int = 50

@minValue(2)
@description('Calls to a dependency within the sampling window before its failure percentage counts; high enough that one failing operation cannot open it alone.')
param finishingBreakerMinimumThroughput int = 10

@minValue(1)
@description('Seconds of the sampling window of the circuit breakers.')
param finishingBreakerSamplingSeconds int = 30

@minValue(1)
@description('Calls in flight to each dependency per instance: bounds how fast a backlog drains after an outage.')
param finishingBreakerMaxConcurrentCalls int = 4

@allowed([
  'Pgp'
  'Jwe'
])
@description('Message security scheme agreed with Google. None is refused outside Development and cannot be deployed.')
param securityMode string = 'Pgp'

@allowed([
  'None'
  'CrmCom'
])
@description('Back office the refunds and cancellations are booked in.')
param backOfficeProvider string = 'None'

@description('CRM.COM server base URL (backOfficeProvider CrmCom).')
param crmComBaseUrl string = ''

@description('CRM.COM API user name.')
param crmComUsername string = ''

@description('CRM.COM organisation.')
param crmComOrganisation string = ''

@description('CRM.COM payment cancellation type name.')
param crmComPaymentCancellationType string = 'Payment Cancellation'

@description('CRM.COM refund type name.')
param crmComRefundType string = 'Refund'

// Secrets: optional here. Prefer setting them afterwards with `az keyvault secret set --file`
// (docs/deploy.md), so they never pass through deployment history. An empty value leaves the
// Key Vault secret untouched.
@secure()
@description('Our ASCII-armored OpenPGP secret key block(s).')
param pgpIntegratorPrivateKeys string = ''

@secure()
@description('Passphrase of our OpenPGP secret keys.')
param pgpPassphrase string = ''

@description('Google\'s ASCII-armored OpenPGP public key block(s) (not secret).')
param pgpGooglePublicKeys string = ''

@secure()
@description('Our PEM private key(s) for the JWE/JWS scheme.')
param jweIntegratorPrivateKeys string = ''

@description('Google\'s PEM public key(s) for the JWE/JWS scheme (not secret).')
param jweGooglePublicKeys string = ''

@secure()
@description('CRM.COM API password.')
param crmComPassword string = ''

@secure()
@description('The app\'s own key of the internal routes (x-internal-key header, Internal:ApiKey), checked on top of a Functions host key.')
param internalApiKey string = ''

@description('Optional object ID of the deploying principal, granted Key Vault Secrets Officer so that it can set the secrets.')
param deployerPrincipalId string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
@description('What deployerPrincipalId is: a person (User), a group, or a pipeline\'s identity (ServicePrincipal).')
param deployerPrincipalType string = 'User'

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGZRS'
])
@description('Redundancy of the storage account that holds the ledger: ZRS, or GZRS/RAGZRS for a second region, where the region has availability zones (GRS where it has none); LRS only for a sandbox.')
param storageSku string = 'Standard_ZRS'

@description('A CanNotDelete lock on the storage account that holds the ledger. On by default against Google\'s production gateway.')
param deleteLock bool = googleBaseUrl == 'https://vgw.googleapis.com/gsp'

@description('Optional network isolation: the IPv4 CIDR ranges that may reach the function app (Google\'s gateway ranges and your own systems, docs/deploy.md). Empty: reachable from anywhere (Google\'s calls are authenticated by their signature, the internal routes by two keys).')
param allowedSourceAddressPrefixes array = []

@allowed([
  512
  2048
  4096
])
@description('Flex Consumption instance memory.')
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
@description('Flex Consumption scale-out limit (instances); also caps the queue workers, and so the load on CRM.COM.')
param maximumInstanceCount int = 40

@minValue(0)
@maxValue(1000)
@description('Always-ready instances of the HTTP functions (Flex Consumption group "http"): Google\'s calls never wait for a cold start while this many instances are up. Billed while idle (docs/deploy.md). On (1) by default against Google\'s production gateway, off (0) otherwise.')
param httpAlwaysReadyInstanceCount int = googleBaseUrl == 'https://vgw.googleapis.com/gsp' ? 1 : 0

@description('E-mail addresses the alerts go to (docs/operations.md). Empty: the alerts fire in the portal only.')
param alertEmailAddresses array = []

@description('Optional https webhook the alerts are posted to (common alert schema). Anyone who can read the resource group sees it: use no URL that carries a secret.')
param alertWebhookUrl string = ''

var token = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var env = toLower(environmentName)
var tags = {
  application: 'google-standard-payments'
  environment: environmentName
}
var deploymentContainerName = 'app-package'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-gsp-${env}-${token}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'stgsp${take(token, 13)}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    sku: storageSku
    deleteLock: deleteLock
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-gsp-${env}-${token}'
    applicationInsightsName: 'appi-gsp-${env}-${token}'
    location: location
    tags: tags
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    namePrefix: 'gsp-${env}'
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    alertEmailAddresses: alertEmailAddresses
    alertWebhookUrl: alertWebhookUrl
  }
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  params: {
    name: 'gsp-${env} service levels per method'
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: 'kv-gsp-${take(token, 13)}'
    location: location
    tags: tags
    pgpIntegratorPrivateKeys: pgpIntegratorPrivateKeys
    pgpPassphrase: pgpPassphrase
    pgpGooglePublicKeys: pgpGooglePublicKeys
    jweIntegratorPrivateKeys: jweIntegratorPrivateKeys
    jweGooglePublicKeys: jweGooglePublicKeys
    crmComPassword: crmComPassword
    internalApiKey: internalApiKey
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    appPrincipalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    deployerPrincipalId: deployerPrincipalId
    deployerPrincipalType: deployerPrincipalType
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    functionAppName: 'func-gsp-${env}-${token}'
    planName: 'plan-gsp-${env}-${token}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
    allowedSourceAddressPrefixes: allowedSourceAddressPrefixes
    vaultUri: keyVault.outputs.vaultUri
    secretNames: keyVault.outputs.secretNames
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    httpAlwaysReadyInstanceCount: httpAlwaysReadyInstanceCount
    googleBaseUrl: googleBaseUrl
    accountIds: paymentIntegratorAccountIds
    idempotencyRetentionDays: idempotencyRetentionDays
    referenceNumberValidityHours: referenceNumberValidityHours
    fundsReservationValidityHours: fundsReservationValidityHours
    finishingMaxAttempts: finishingMaxAttempts
    finishingRetryBaseMilliseconds: finishingRetryBaseMilliseconds
    finishingRelayGraceSeconds: finishingRelayGraceSeconds
    finishingMaxBacklog: finishingMaxBacklog
    finishingBreakerBreakSeconds: finishingBreakerBreakSeconds
    finishingBreakerFailurePercent: finishingBreakerFailurePercent
    finishingBreakerMinimumThroughput: finishingBreakerMinimumThroughput
    finishingBreakerSamplingSeconds: finishingBreakerSamplingSeconds
    finishingBreakerMaxConcurrentCalls: finishingBreakerMaxConcurrentCalls
    securityMode: securityMode
    backOfficeProvider: backOfficeProvider
    crmComBaseUrl: crmComBaseUrl
    crmComUsername: crmComUsername
    crmComOrganisation: crmComOrganisation
    crmComPaymentCancellationType: crmComPaymentCancellationType
    crmComRefundType: crmComRefundType
  }
  // The identity's roles exist before the app first starts (storage, Key Vault references).
  dependsOn: [
    roles
  ]
}

@description('Base URL to register with Google: the integrator-hosted methods are POST <baseUrl>/<api>-v<N>/<method>.')
output baseUrl string = 'https://${functionApp.outputs.defaultHostName}'

@description('Function app name (for publishing and function keys).')
output functionAppName string = functionApp.outputs.name

@description('Key Vault holding the secrets (az keyvault secret set --vault-name ...).')
output keyVaultName string = keyVault.outputs.name

@description('Action group the alerts notify (add receivers with az monitor action-group update).')
output actionGroupName string = alerts.outputs.actionGroupName

@description('Resource group of the deployment.')
output resourceGroupName string = resourceGroup().name
