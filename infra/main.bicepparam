// Sandbox deployment (Google's sandbox gateway; sandbox keys only).
//   az deployment group create -g rg-gsp-sandbox -f infra/main.bicep -p infra/main.bicepparam \
//     -p deployerPrincipalId=$(az ad signed-in-user show --query id -o tsv)
// Secrets are not set here: put them into Key Vault afterwards (docs/deploy.md).
using './main.bicep'

param environmentName = 'sandbox'
param googleBaseUrl = 'https://vgw.sandbox.google.com/gsp'
param paymentIntegratorAccountIds = 'InvisiCashUSA_USD,SpeedyPaymentsIndia_INR,InvisiCashIN_INR'
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
