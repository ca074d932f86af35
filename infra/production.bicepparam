// Production deployment: Google's production gateway, production keys only, its own resource
// group (docs/deploy.md, sandbox and production).
//   export GSP_ACCOUNT_IDS=<production PIAIDs> GSP_ALERT_EMAIL=<on-call address> \
//          CRMCOM_BASE_URL=<url> CRMCOM_USERNAME=<user> CRMCOM_ORGANISATION=<organisation>
//   az deployment group create -g rg-gsp-prod -f infra/main.bicep -p infra/production.bicepparam
// Secrets are not set here: put them into Key Vault afterwards (docs/deploy.md).
using './main.bicep'

param environmentName = 'prod'
param googleBaseUrl = 'https://vgw.googleapis.com/gsp'
// The PIAIDs Google assigned to you for production (comma-separated). Required.
param paymentIntegratorAccountIds = readEnvironmentVariable('GSP_ACCOUNT_IDS')
param idempotencyRetentionDays = 400
param securityMode = 'Pgp'
param backOfficeProvider = 'CrmCom'
// CRM.COM's production server, API user and organisation (required; the password goes into Key Vault).
param crmComBaseUrl = readEnvironmentVariable('CRMCOM_BASE_URL')
param crmComUsername = readEnvironmentVariable('CRMCOM_USERNAME')
param crmComOrganisation = readEnvironmentVariable('CRMCOM_ORGANISATION')
param crmComPaymentCancellationType = 'Payment Cancellation'
param crmComRefundType = 'Refund'
param instanceMemoryMB = 2048
param maximumInstanceCount = 40
// One HTTP instance always up: Google's calls never wait for a cold start.
param httpAlwaysReadyInstanceCount = 1
// Zone-redundant storage holding the ledger, with a delete lock.
param storageSku = 'Standard_ZRS'
param deleteLock = true
// The on-call address the alerts go to (required: production alerts must reach someone).
param alertEmailAddresses = [
  readEnvironmentVariable('GSP_ALERT_EMAIL')
]
param alertWebhookUrl = readEnvironmentVariable('GSP_ALERT_WEBHOOK', '')
// A pipeline's identity usually deploys production: DEPLOYER_PRINCIPAL_TYPE=ServicePrincipal.
param deployerPrincipalId = readEnvironmentVariable('DEPLOYER_PRINCIPAL_ID', '')
param deployerPrincipalType = readEnvironmentVariable('DEPLOYER_PRINCIPAL_TYPE', 'User')
