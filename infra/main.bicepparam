// Sandbox deployment: Google's sandbox gateway, sandbox keys only.
//   export DEPLOYER_PRINCIPAL_ID=$(az ad signed-in-user show --query id -o tsv)
//   az deployment group create -g rg-gsp-sandbox -f infra/main.bicep -p infra/main.bicepparam
// Secrets are not set here: put them into Key Vault afterwards (docs/deploy.md).
using './main.bicep'

param environmentName = 'sandbox'
param googleBaseUrl = 'https://vgw.sandbox.google.com/gsp'
// The PIAIDs Google assigned for the sandbox; override with GSP_ACCOUNT_IDS (comma-separated).
param paymentIntegratorAccountIds = readEnvironmentVariable('GSP_ACCOUNT_IDS', 'InvisiCashUSA_USD,SpeedyPaymentsIndia_INR,InvisiCashIN_INR')
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
// Grants the deploying user Key Vault Secrets Officer (to set the secrets); empty: no grant.
param deployerPrincipalId = readEnvironmentVariable('DEPLOYER_PRINCIPAL_ID', '')
