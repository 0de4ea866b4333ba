metadata name = 'User-assigned managed identity'
metadata description = 'The identity the function app uses for storage, Key Vault and Application Insights, in place of connection strings.'

@description('Required. Name of the user-assigned managed identity.')
param name string

@description('Required. Location of the identity.')
param location string

@description('Optional. Tags of the resource.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('The resource id of the identity.')
output resourceId string = identity.id

@description('The name of the identity.')
output name string = identity.name

@description('The client (application) id of the identity: what AZURE_CLIENT_ID and the *__clientId settings need.')
output clientId string = identity.properties.clientId

@description('The principal (object) id of the identity: what role assignments need.')
output principalId string = identity.properties.principalId
