metadata name = 'Key Vault secret'
metadata description = 'One secret in an existing vault (the AVM key-vault/secret child module shape).'

@description('Required. Name of the existing vault.')
param keyVaultName string

@description('Required. Name of the secret (letters, digits and hyphens).')
param name string

@description('Required. The secret value.')
@secure()
param value string

@description('Optional. Content type shown with the secret, e.g. application/json.')
param contentType string = ''

@description('Optional. Tags of the secret.')
param tags object = {}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: name
  tags: tags
  properties: {
    value: value
    contentType: empty(contentType) ? null : contentType
  }
}

@description('The name of the secret (never its value).')
output name string = secret.name
