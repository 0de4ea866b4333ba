metadata name = 'Private endpoint'
metadata description = 'A private endpoint for one sub-resource (group) of a resource, registered in its private DNS zone so the resource\'s usual host name resolves to the private address inside the network.'

@description('Required. Name of the private endpoint.')
param name string

@description('Required. Location of the private endpoint (the virtual network\'s).')
param location string

@description('Optional. Tags of the private endpoint.')
param tags object = {}

@description('Required. Resource id of the subnet the endpoint takes its address from.')
param subnetId string

@description('Required. Resource id of the resource the endpoint connects to (a storage account, a vault).')
param privateLinkServiceId string

@description('Required. The sub-resource: blob, queue, table or vault.')
@allowed([
  'blob'
  'queue'
  'table'
  'vault'
])
param groupId string

@description('Required. Resource id of the private DNS zone for that group.')
param privateDnsZoneId string

resource endpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    subnet: {
      id: subnetId
    }
    privateLinkServiceConnections: [
      {
        name: name
        properties: {
          privateLinkServiceId: privateLinkServiceId
          groupIds: [
            groupId
          ]
        }
      }
    ]
  }
}

resource dnsZoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: groupId
        properties: {
          privateDnsZoneId: privateDnsZoneId
        }
      }
    ]
  }
}

@description('The resource id of the private endpoint.')
output resourceId string = endpoint.id
