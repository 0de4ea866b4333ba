metadata name = 'Storage account'
metadata description = 'Tables and queues for Notify, the Functions runtime storage and the Flex Consumption deployment container; Entra ID only (no shared key), TLS 1.2, no public blob access.'

import { roleAssignmentType } from 'shared.bicep'

@description('Required. Name of the storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Required. Location of the storage account.')
param location string

@description('Optional. Tags of the resource.')
param tags object = {}

@description('Optional. Replication (SKU). Standard_ZRS survives a zone outage.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param skuName string = 'Standard_LRS'

@description('Required. Name of the blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Optional. Queues to create up front, including the runtime\'s -poison queues so the dead-letter alert and operators find them before the first failure.')
param queueNames string[] = []

@description('Optional. Resource id of a Log Analytics workspace that receives the queue service write log (StorageWrite; the dead-letter alert reads it) and the table service write and delete logs (who changed apps, users and templates). Empty for none.')
param logAnalyticsWorkspaceId string = ''

@description('Optional. Accept requests on the public endpoints. Off: only through private endpoints (the private network option), and every public request is refused, Entra ID or not.')
param publicNetworkAccessEnabled bool = true

@description('Optional. Role assignments on the storage account.')
param roleAssignments roleAssignmentType[] = []

resource storageAccount 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Identity-based connections only (AzureWebJobsStorage__credential / Storage__credential = managedidentity).
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    dnsEndpointType: 'Standard'
    publicNetworkAccess: publicNetworkAccessEnabled ? 'Enabled' : 'Disabled'
    networkAcls: {
      // Public: the Flex app reaches storage over the public endpoints, with Entra ID only. Private: the app, the
      // Functions runtime and the deployment container are reached through private endpoints.
      defaultAction: publicNetworkAccessEnabled ? 'Allow' : 'Deny'
      bypass: 'AzureServices'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      services: {
        blob: { enabled: true }
        file: { enabled: true }
        queue: { enabled: true, keyType: 'Account' }
        table: { enabled: true, keyType: 'Account' }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: storageAccount
  name: 'default'
  properties: {
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2024-01-01' = {
  parent: storageAccount
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2024-01-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

// Storage Queue metrics (QueueMessageCount) are per account, not per queue, so a dead-letter alert cannot be a
// metric alert on the poison queues. Their writes (PutMessage) land in StorageQueueLogs instead. Only the
// write category: reads are every poll of every queue trigger and would cost ingestion for nothing.
resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = if (!empty(logAnalyticsWorkspaceId)) {
  name: 'queue-writes-to-log-analytics'
  scope: queueService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'StorageWrite'
        enabled: true
      }
    ]
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2024-01-01' = {
  parent: storageAccount
  name: 'default'
}

// Writes and deletes only: who changed an app, a user or a template (the admin CLI writes tables directly). Reads
// are every request's lookups and would cost ingestion for nothing.
resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = if (!empty(logAnalyticsWorkspaceId)) {
  name: 'table-changes-to-log-analytics'
  scope: tableService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'StorageWrite'
        enabled: true
      }
      {
        category: 'StorageDelete'
        enabled: true
      }
    ]
  }
}

resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for ra in roleAssignments: {
    name: guid(storageAccount.id, ra.principalId, ra.roleDefinitionId)
    scope: storageAccount
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ra.roleDefinitionId)
      principalId: ra.principalId
      principalType: ra.?principalType
      description: ra.?description
    }
  }
]

@description('The resource id of the storage account.')
output resourceId string = storageAccount.id

@description('The name of the storage account.')
output name string = storageAccount.name

@description('The blob service endpoint (https://<name>.blob.<suffix>/).')
output blobEndpoint string = storageAccount.properties.primaryEndpoints.blob

@description('The queue service endpoint.')
output queueEndpoint string = storageAccount.properties.primaryEndpoints.queue

@description('The table service endpoint.')
output tableEndpoint string = storageAccount.properties.primaryEndpoints.table

@description('The name of the deployment package container.')
output deploymentContainerName string = deploymentContainer.name
