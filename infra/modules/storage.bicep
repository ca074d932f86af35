// Storage account for the Functions host (AzureWebJobsStorage), the app's tables and queues
// (the "PaymentsStorage" connection) and the Flex Consumption deployment container.
// Shared keys are off: every client authenticates with Entra ID (the managed identity).

param name string
param location string
param tags object

@description('Blob container the Flex Consumption plan deploys the app package from.')
param deploymentContainerName string

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGZRS'
])
@description('Redundancy: ZRS/GZRS where the region has availability zones, LRS only for a sandbox.')
param sku string

@description('A CanNotDelete lock on the account: the ledger must not go with a resource group deleted by mistake.')
param deleteLock bool

@description('Log Analytics workspace for the audit logs and transaction metrics.')
param logAnalyticsWorkspaceId string

// Must list exactly Payments.Core.Idempotency.TableNames.All (a consistency test checks).
var tableNames = [
  'transactions'
  'requests'
  'outbox'
  'journal'
]

// Must list exactly every queue of Payments.Core.Idempotency.QueueNames.All and its -poison twin
// (a consistency test checks). The host writes a message to <queue>-poison after
// host.json's maxDequeueCount failed attempts.
var queueNames = [
  'refunds'
  'refunds-poison'
  'reservation-cancellations'
  'reservation-cancellations-poison'
  'notifications'
  'notifications-poison'
  'statements'
  'statements-poison'
  'bookings'
  'bookings-poison'
]

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: sku
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    // Public endpoint on: the Flex Consumption app reaches storage over it (private endpoints need the
    // app in a virtual network, which this template does not build). Shared keys are off, so every
    // call carries an Entra ID token of a principal with a data role (docs/deploy.md).
    publicNetworkAccess: 'Enabled'
  }
}

resource lock 'Microsoft.Authorization/locks@2020-05-01' = if (deleteLock) {
  name: 'ledger-do-not-delete'
  scope: account
  properties: {
    level: 'CanNotDelete'
    notes: 'Holds the payments ledger (transactions, requests, outbox, journal). Remove the lock deliberately before deleting.'
  }
}

resource accountMetrics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

// The audit category group of each service (writes and deletes), not every read: the host polls the
// queues all the time.
resource blobAudit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: blobService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource queueAudit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: queueService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource tableAudit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: tableService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${deploymentContainer.name}'
