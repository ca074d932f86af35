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
@description('Key for the internal routes; also register it as the "internal" function key.')
param internalApiKey string = ''

@description('Optional object ID of the deploying user, granted Key Vault Secrets Officer so that they can set the secrets.')
param deployerPrincipalId string = ''

@allowed([
  512
  2048
  4096
])
@description('Flex Consumption instance memory.')
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
@description('Flex Consumption scale-out limit (instances).')
param maximumInstanceCount int = 40

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
    vaultUri: keyVault.outputs.vaultUri
    secretNames: keyVault.outputs.secretNames
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    googleBaseUrl: googleBaseUrl
    accountIds: paymentIntegratorAccountIds
    idempotencyRetentionDays: idempotencyRetentionDays
    referenceNumberValidityHours: referenceNumberValidityHours
    fundsReservationValidityHours: fundsReservationValidityHours
    finishingMaxAttempts: finishingMaxAttempts
    finishingRetryBaseMilliseconds: finishingRetryBaseMilliseconds
    finishingRelayGraceSeconds: finishingRelayGraceSeconds
    finishingMaxBacklog: finishingMaxBacklog
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

@description('Resource group of the deployment.')
output resourceGroupName string = resourceGroup().name
