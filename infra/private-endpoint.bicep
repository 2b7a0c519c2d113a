// A private endpoint for one resource (PostgreSQL, Key Vault) in the endpoints subnet, with the
// private DNS zone that makes the resource's public name resolve to it inside the network.

@description('The private endpoint\'s name.')
param name string

@description('Region of the endpoint (the network\'s).')
param location string

@description('Tags of the deployment.')
param tags object

@description('The subnet the endpoint gets its address from.')
param subnetId string

@description('The virtual network the DNS zone is linked to.')
param vnetId string

@description('The resource reached through the endpoint.')
param targetId string

@description('The resource\'s sub-resource: postgresqlServer, vault, ...')
param groupId string

@description('The private DNS zone of that kind of resource, e.g. privatelink.vaultcore.azure.net.')
param dnsZoneName string

resource zone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: dnsZoneName
  location: 'global'
  tags: tags
}

resource zoneLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = {
  parent: zone
  name: '${name}-link'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnetId
    }
  }
}

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
          privateLinkServiceId: targetId
          groupIds: [
            groupId
          ]
        }
      }
    ]
  }
}

resource zoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: replace(dnsZoneName, '.', '-')
        properties: {
          privateDnsZoneId: zone.id
        }
      }
    ]
  }
}
