metadata name = 'Key Vault'
metadata description = 'A Key Vault in RBAC mode for the provider secrets that the function app reads through Key Vault references; the secrets are key-vault-secret.bicep modules.'

import { roleAssignmentType } from 'shared.bicep'

@description('Required. Name of the vault (3-24 letters, digits and hyphens, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Required. Location of the vault.')
param location string

@description('Optional. Tags of the vault.')
param tags object = {}

@description('Optional. Purge protection: once on it cannot be turned off, and a deleted vault keeps its name for the retention period. Recommended in production.')
param enablePurgeProtection bool = false

@description('Optional. Days a deleted vault or secret can be recovered.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

@description('Optional. Accept requests on the public endpoint. Off: only through a private endpoint (the private network option).')
param publicNetworkAccessEnabled bool = true

@description('Optional. Resource id of a Log Analytics workspace that receives the vault\'s audit log (every secret read and change). Empty for none.')
param logAnalyticsWorkspaceId string = ''

@description('Optional. Role assignments on the vault (the app identity needs Key Vault Secrets User).')
param roleAssignments roleAssignmentType[] = []

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    // Access by Azure RBAC (role assignments below), not by access policies.
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // The API accepts only true or absent: false would be an error, so absent stands for off.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: publicNetworkAccessEnabled ? 'Enabled' : 'Disabled'
    networkAcls: {
      // Public: Key Vault references from a Flex app without VNet integration come over the public endpoint.
      // Private: they come through the app's VNet integration to the private endpoint.
      defaultAction: publicNetworkAccessEnabled ? 'Allow' : 'Deny'
      bypass: 'AzureServices'
    }
  }
}

resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = if (!empty(logAnalyticsWorkspaceId)) {
  name: 'audit-to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'AuditEvent'
        enabled: true
      }
    ]
  }
}

resource vaultRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for ra in roleAssignments: {
    name: guid(vault.id, ra.principalId, ra.roleDefinitionId)
    scope: vault
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ra.roleDefinitionId)
      principalId: ra.principalId
      principalType: ra.?principalType
      description: ra.?description
    }
  }
]

@description('The resource id of the vault.')
output resourceId string = vault.id

@description('The name of the vault.')
output name string = vault.name

@description('The vault URI (https://<name>.vault.azure.net/), from which the app settings build Key Vault references. The secrets themselves are never outputs.')
output uri string = vault.properties.vaultUri
