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
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      // Key Vault references from a Flex Consumption app without VNet integration come over the public endpoint.
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
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
