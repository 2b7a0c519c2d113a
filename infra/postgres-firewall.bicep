// PostgreSQL's firewall: one rule per address of `addresses` (comma-separated), the web app's
// possible outbound addresses, known only once the web app exists, hence a module of its own.

@description('The PostgreSQL flexible server in this resource group.')
param serverName string

@description('Comma-separated IPv4 addresses to admit, e.g. the web app\'s possibleOutboundIpAddresses.')
param addresses string

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' existing = {
  name: serverName
}

// One rule at a time: the server refuses concurrent changes.
@batchSize(1)
resource rules 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = [for (address, index) in split(addresses, ','): {
  parent: server
  name: 'app-outbound-${index}'
  properties: {
    startIpAddress: trim(address)
    endIpAddress: trim(address)
  }
}]
