metadata name = 'Private network'
metadata description = 'A virtual network for a Flex Consumption app: a subnet delegated to Microsoft.App/environments for VNet integration, a subnet for private endpoints, the private DNS zones those endpoints register in, and an optional NAT gateway for a fixed outbound address.'

@description('Required. Name of the virtual network.')
param name string

@description('Required. Location of the network, the NAT gateway and its public IP (private DNS zones are global).')
param location string

@description('Optional. Tags of every resource.')
param tags object = {}

@description('Optional. Address space of the virtual network.')
param addressPrefix string = '10.0.0.0/16'

@description('Optional. Address range of the subnet the function app integrates with; Flex Consumption takes one address per instance, so size it for maximumInstanceCount.')
param appSubnetPrefix string = '10.0.0.0/22'

@description('Optional. Address range of the subnet that holds the private endpoints.')
param privateEndpointSubnetPrefix string = '10.0.4.0/24'

@description('Optional. Give the app subnet a NAT gateway with a static public IP: every outbound call (FCM, APNs, SendGrid, Twilio, an SMTP relay) then leaves from that one address, which a provider or relay can allow-list.')
param natGatewayEnabled bool = false

@description('Optional. Name of the NAT gateway (used only when natGatewayEnabled).')
param natGatewayName string = '${name}-nat'

@description('Optional. Name of the NAT gateway\'s public IP (used only when natGatewayEnabled).')
param natPublicIpName string = '${name}-nat-ip'

// The zone each private endpoint group registers in (public cloud names; Storage's follow the cloud's suffix).
var privateDnsZoneNames = {
  blob: 'privatelink.blob.${environment().suffixes.storage}'
  queue: 'privatelink.queue.${environment().suffixes.storage}'
  table: 'privatelink.table.${environment().suffixes.storage}'
  vault: 'privatelink.vaultcore.azure.net'
}

resource natPublicIp 'Microsoft.Network/publicIPAddresses@2024-05-01' = if (natGatewayEnabled) {
  name: natPublicIpName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
  }
  properties: {
    publicIPAllocationMethod: 'Static'
    publicIPAddressVersion: 'IPv4'
  }
}

resource natGateway 'Microsoft.Network/natGateways@2024-05-01' = if (natGatewayEnabled) {
  name: natGatewayName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
  }
  properties: {
    idleTimeoutInMinutes: 4
    publicIpAddresses: [
      {
        id: natPublicIp.id
      }
    ]
  }
}

// One security group on both subnets, with only Azure's default rules (traffic inside the network and out to the
// internet allowed, inbound from the internet denied): many organisations' policies require a group on every
// subnet, and it is where an infra team adds its own rules.
resource nsg 'Microsoft.Network/networkSecurityGroups@2024-05-01' = {
  name: '${name}-nsg'
  location: location
  tags: tags
  properties: {
    securityRules: []
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: appSubnetPrefix
          // Flex Consumption integrates with a subnet delegated to Container Apps environments, not serverFarms.
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
          // A Flex app sends all its outbound traffic into this subnet, the providers' APIs included. New subnets
          // get no implicit internet access any more: without the NAT gateway, default outbound access is the path
          // out (Microsoft is retiring it; production should turn the NAT gateway on).
          defaultOutboundAccess: !natGatewayEnabled
          natGateway: natGatewayEnabled ? { id: natGateway.id } : null
          networkSecurityGroup: {
            id: nsg.id
          }
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: privateEndpointSubnetPrefix
          defaultOutboundAccess: false
          privateEndpointNetworkPolicies: 'Disabled'
          networkSecurityGroup: {
            id: nsg.id
          }
        }
      }
    ]
  }
}

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for zone in items(privateDnsZoneNames): {
    name: zone.value
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (zone, i) in items(privateDnsZoneNames): {
    parent: zones[i]
    name: '${name}-link'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnet.id
      }
    }
  }
]

// Outputs are built from names, not read back from the deployed network, so What-If knows them in advance.

@description('The resource id of the virtual network.')
output resourceId string = vnet.id

@description('The resource id of the subnet the function app integrates with (virtualNetworkSubnetId).')
output appSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'app')

@description('The resource id of the private endpoint subnet.')
output privateEndpointSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'private-endpoints')

@description('The private DNS zone resource id for each private endpoint group (blob, queue, table, vault).')
output privateDnsZoneIds object = toObject(items(privateDnsZoneNames), zone => zone.key, zone => resourceId('Microsoft.Network/privateDnsZones', zone.value))
