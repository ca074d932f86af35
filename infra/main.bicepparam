// Sandbox deployment: Google's sandbox gateway, sandbox keys only.
//   export DEPLOYER_PRINCIPAL_ID=$(az ad signed-in-user show --query id -o tsv)
//   az deployment group create -g rg-gsp-sandbox -f infra/main.bicep -p infra/main.bicepparam
// Secrets are not set here: put them into Key Vault afterwards (docs/deploy.md).
using './main.bicep'

param environmentName = 'sandbox'
param googleBaseUrl = 'https://vgw.sandbox.google.com/gsp'
// The PIAIDs Google assigned to you for the sandbox (comma-separated). Required: without
// GSP_ACCOUNT_IDS the parameter file does not build, rather than deploying someone else's PIAIDs.
param paymentIntegratorAccountIds = readEnvironmentVariable('GSP_ACCOUNT_IDS')
param idempotencyRetentionDays = 400
param securityMode = 'Pgp'
param backOfficeProvider = 'None'
param crmComBaseUrl = ''
param crmComUsername = ''
param crmComOrganisation = ''
param crmComPaymentCancellationType = 'Payment Cancellation'
param crmComRefundType = 'Refund'
param instanceMemoryMB = 2048
param maximumInstanceCount = 40
// No always-ready instance: a sandbox call may meet a cold start (docs/deploy.md). Set 1 to
// measure what production answers.
param httpAlwaysReadyInstanceCount = 0
// Who the alerts notify (docs/operations.md); empty: visible in the portal only.
param alertEmailAddresses = []
param alertWebhookUrl = ''
// A sandbox: locally redundant storage is enough, and no delete lock.
param storageSku = 'Standard_LRS'
param deleteLock = false
// Grants the deploying principal Key Vault Secrets Officer (to set the secrets); empty: no grant.
// DEPLOYER_PRINCIPAL_TYPE: User (default), Group, or ServicePrincipal when a pipeline deploys.
param deployerPrincipalId = readEnvironmentVariable('DEPLOYER_PRINCIPAL_ID', '')
param deployerPrincipalType = readEnvironmentVariable('DEPLOYER_PRINCIPAL_TYPE', 'User')
