// exitbot in one resource group: the Azure Bot, App Service running the container image,
// PostgreSQL Flexible Server, Key Vault for the secrets, Application Insights, and one
// user-assigned managed identity that is the bot's identity, reads Graph, pulls the image and
// reads Key Vault. Provisioned by `arm/deploy` in m365agents.yml (parameters in
// azure.parameters.json); docs/operations.md walks through it.
//
// Least privilege: the identity is not the PostgreSQL administrator (an Entra ID person or group
// is, postgresEntraAdmin*); with the managed identity no password login exists; PostgreSQL
// admits only the web app's outbound addresses (or, with privateNetworking, only the virtual
// network through a private endpoint, as Key Vault); the image runs by tag or digest, never a moving 'latest'.
// `checkov -d infra --framework bicep` (infra/check) passes; each suppression says why.
//
// Names: <resourceBaseName>-<kind> where Azure allows hyphens, <resourceBaseName><kind> where it
// does not (the registry); resourceBaseName makes them unique (Key Vault, registry, PostgreSQL
// and the web app's host name are global).

targetScope = 'resourceGroup'

@description('Lower-case letters and digits, 3–16, starting with a letter; every resource name starts with it. Add a suffix per environment, e.g. exitbotprod.')
@minLength(3)
@maxLength(16)
param resourceBaseName string

@description('Azure region of every resource except the bot registration (global).')
param location string = resourceGroup().location

@description('How the bot proves who it is. UserAssignedMSI: the managed identity created here (no secret anywhere). SingleTenant: an Entra app registration you created, with its secret in Key Vault. Multi-tenant registration is deprecated for new bots.')
@allowed([
  'UserAssignedMSI'
  'SingleTenant'
])
param botAppType string = 'UserAssignedMSI'

@description('SingleTenant only: the app registration\'s application (client) id.')
param botAppId string = ''

@description('SingleTenant only: the app registration\'s client secret; stored in Key Vault, never in an app setting.')
@secure()
param botAppPassword string = ''

@description('The Teams app id in the tenant\'s app catalog (Graph teamsApp id), known after the first publish; TEAMS_APP_CATALOG_ID.')
param teamsAppCatalogId string = ''

@description('The Bot Connector address of the tenant\'s region, so the bot can write first to someone who never wrote to it; TEAMS_SERVICE_URL.')
param teamsServiceUrl string = 'https://smba.trafficmanager.net/emea/'

@description('Accepted audiences for the departures API (EXITBOT_API_AUDIENCES), e.g. api://<the HR API app registration id>. With UserAssignedMSI, the API needs its own app registration (a managed identity cannot expose app roles); empty means api://<MICROSOFT_APP_ID>.')
param apiAudiences string = ''

@description('App Service plan SKU; B1 for a trial, P0v3 or larger in production (Always On, several instances).')
param appServiceSku string = 'B1'

@description('How many instances run the service; more than one needs PostgreSQL (which this template provides).')
@minValue(1)
@maxValue(10)
param instanceCount int = 1

@description('The image to run, <registry>.azurecr.io/exitbot:<tag> (or @sha256:<digest>); infra/deploy.sh writes it to CONTAINER_IMAGE after each deploy, so provisioning again keeps it. Empty before the first deploy: exitbot:not-deployed-yet, which never exists (the app stays down until deploy).')
param containerImage string = ''

@description('SingleTenant only: the PostgreSQL password login the service connects with. With UserAssignedMSI there is no password login (Entra ID only).')
param postgresAdminLogin string = 'exitbot'

@description('SingleTenant only: that login\'s password; lives in Key Vault as part of the database-url secret.')
@secure()
param postgresAdminPassword string = ''

@description('UserAssignedMSI: object id of the PostgreSQL Entra ID administrator, a group of database administrators (or a person), never the bot. It runs infra/grant-database-identity.sh once.')
param postgresEntraAdminObjectId string = ''

@description('UserAssignedMSI: the name PostgreSQL knows postgresEntraAdminObjectId by: the group\'s display name or the person\'s UPN.')
param postgresEntraAdminName string = ''

@description('Kind of postgresEntraAdminObjectId: Group (recommended), User or ServicePrincipal.')
@allowed([
  'Group'
  'User'
  'ServicePrincipal'
])
param postgresEntraAdminType string = 'Group'

@description('Private networking: the web app joins a virtual network (VNet integration) and reaches PostgreSQL and Key Vault through private endpoints; neither answers the internet. Off: PostgreSQL admits only the web app\'s outbound addresses.')
param privateNetworking bool = false

@description('privateNetworking: the virtual network\'s address space.')
param vnetAddressPrefix string = '10.40.0.0/16'

@description('privateNetworking: the subnet the web app is integrated into (delegated to App Service, /27 or larger).')
param appSubnetPrefix string = '10.40.0.0/24'

@description('privateNetworking: the subnet of the private endpoints.')
param endpointSubnetPrefix string = '10.40.1.0/24'

@description('PostgreSQL compute: Standard_B1ms (Burstable) is enough for thousands of departures a year.')
param postgresSkuName string = 'Standard_B1ms'

@description('Tier of postgresSkuName: Burstable, GeneralPurpose or MemoryOptimized.')
@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param postgresSkuTier string = 'Burstable'

@description('Days of PostgreSQL point-in-time restore (7–35).')
@minValue(7)
@maxValue(35)
param postgresBackupRetentionDays int = 14

@description('Service log level: DEBUG, INFO, WARNING or ERROR. Logs never hold message text, answers or tokens.')
param logLevel string = 'INFO'

var isManagedIdentity = botAppType == 'UserAssignedMSI'
var tags = {
  application: 'exitbot'
  environment: resourceBaseName
}
var port = '3978'
var databaseName = 'exitbot'
// Built-in role ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var keyVaultSecretsUserRole = '4633458b-17de-408a-b874-0445c86b69e6'
var acrPullRole = '7f951dda-4ed3-4680-a7ca-43fe172d538d'
// Key Vault answers the internet only where something must read it from there: the SingleTenant
// bot's Key Vault references without the virtual network. ARM writes secrets either way.
var vaultOpen = !isManagedIdentity && !privateNetworking
var vnetName = '${resourceBaseName}-vnet'
var appSubnetId = resourceId('Microsoft.Network/virtualNetworks/subnets', vnetName, 'app')
var endpointSubnetId = resourceId('Microsoft.Network/virtualNetworks/subnets', vnetName, 'endpoints')

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${resourceBaseName}-id'
  location: location
  tags: tags
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${resourceBaseName}-log'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${resourceBaseName}-appi'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  // checkov:skip=CKV_AZURE_109: the network ACL denies all (defaultAction) unless vaultOpen: a SingleTenant bot without privateNetworking, whose Key Vault references App Service resolves from outside
  // checkov:skip=CKV_AZURE_189: public network access is off with privateNetworking; without it the ACL above decides
  name: '${resourceBaseName}-kv'
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    // checkov cannot evaluate these conditions (CKV_AZURE_109 fails on them, CKV_AZURE_189
    // raises); both are closed unless a SingleTenant bot must read its references from outside.
    publicNetworkAccess: privateNetworking ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: vaultOpen ? 'Allow' : 'Deny'
      bypass: 'AzureServices'
    }
  }
}

resource vaultReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, keyVaultSecretsUserRole)
  scope: vault
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRole)
  }
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: '${resourceBaseName}acr'
  location: location
  tags: tags
  // checkov:skip=CKV_AZURE_139: closing the registry to the internet needs Premium, and az acr build (infra/deploy.sh) cannot build into a closed one; pulls need the identity's AcrPull, anonymous pull is off
  // checkov:skip=CKV_AZURE_166: quarantine needs Premium and a scanner that releases images; the registry only holds images deploy.sh built from git
  // checkov:skip=CKV_AZURE_163: image scanning is Microsoft Defender for Containers, a subscription plan, not a registry property
  sku: {
    name: 'Basic'
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
  }
}

resource imagePuller 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, identity.id, acrPullRole)
  scope: registry
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRole)
  }
}

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: '${resourceBaseName}-pg'
  location: location
  tags: tags
  sku: {
    name: postgresSkuName
    tier: postgresSkuTier
  }
  properties: {
    version: '16'
    // The managed identity's deployment has no password login at all (Entra ID only).
    administratorLogin: isManagedIdentity ? null : postgresAdminLogin
    administratorLoginPassword: isManagedIdentity ? null : postgresAdminPassword
    storage: {
      storageSizeGB: 32
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: postgresBackupRetentionDays
      // Point-in-time restore in the region; geo-redundant backup doubles its cost (operations.md).
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
    network: {
      publicNetworkAccess: privateNetworking ? 'Disabled' : 'Enabled'
    }
    authConfig: {
      // The service signs in with the managed identity's token (DATABASE_AUTH=entra); a
      // SingleTenant bot with the password login from Key Vault.
      passwordAuth: isManagedIdentity ? 'Disabled' : 'Enabled'
      activeDirectoryAuth: isManagedIdentity ? 'Enabled' : 'Disabled'
      tenantId: tenant().tenantId
    }
  }
}

// The server's Entra ID administrator: database administrators, not the bot. They let the
// identity in once (infra/grant-database-identity.sh: pgaadauth_create_principal without admin
// rights, then `exitbot db grant`, which gives it exitbot's tables through an owner role).
resource postgresAdmin 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = if (isManagedIdentity && !empty(postgresEntraAdminObjectId)) {
  parent: postgres
  name: empty(postgresEntraAdminObjectId) ? '00000000-0000-0000-0000-000000000000' : postgresEntraAdminObjectId
  properties: {
    principalType: postgresEntraAdminType
    principalName: postgresEntraAdminName
    tenantId: tenant().tenantId
  }
  dependsOn: [
    database
  ]
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: postgres
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
}

// Without the virtual network: PostgreSQL admits the web app's possible outbound addresses and
// nothing else (no "allow all Azure addresses"). They are App Service's, shared with other
// apps on the same scale unit: privateNetworking is the stricter choice.
module postgresFirewall 'postgres-firewall.bicep' = if (!privateNetworking) {
  name: 'postgres-firewall'
  params: {
    serverName: postgres.name
    addresses: web.properties.possibleOutboundIpAddresses
  }
  dependsOn: [
    database
  ]
}

resource databaseUrl 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!isManagedIdentity) {
  // checkov:skip=CKV_AZURE_114: contentType is set (DATABASE_URL); checkov reads no property of a conditional resource
  // checkov:skip=CKV_AZURE_41: an expiry date would stop the bot on that day without warning; rotation is a documented step (docs/operations.md, "Secrets and their rotation")
  parent: vault
  name: 'database-url'
  properties: {
    contentType: 'DATABASE_URL'
    value: 'postgresql+asyncpg://${postgresAdminLogin}:${uriComponent(postgresAdminPassword)}@${postgres.properties.fullyQualifiedDomainName}:5432/${databaseName}?ssl=require'
  }
}

resource appPassword 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!isManagedIdentity) {
  // checkov:skip=CKV_AZURE_114: contentType is set (MICROSOFT_APP_PASSWORD); see databaseUrl
  // checkov:skip=CKV_AZURE_41: the client secret expires on the app registration itself; see database-url
  parent: vault
  name: 'microsoft-app-password'
  properties: {
    contentType: 'MICROSOFT_APP_PASSWORD'
    value: botAppPassword
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  // checkov:skip=CKV_AZURE_225: zone redundancy needs Premium v3 with three instances; appServiceSku and instanceCount choose it, B1 and one instance are the trial default
  name: '${resourceBaseName}-plan'
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: appServiceSku
    capacity: instanceCount
  }
  properties: {
    reserved: true
  }
}

var appId = isManagedIdentity ? identity.properties.clientId : botAppId
// Managed identity: the service signs in with a token per connection, so its URL holds no
// password; a SingleTenant bot reads the password URL from Key Vault.
var identityDatabaseUrl = 'postgresql+asyncpg://${identity.name}@${postgres.properties.fullyQualifiedDomainName}:5432/${databaseName}?ssl=require'
var databaseUrlSetting = isManagedIdentity ? identityDatabaseUrl : '@Microsoft.KeyVault(SecretUri=${databaseUrl.properties.secretUri})'
var databaseAuth = isManagedIdentity ? 'entra' : 'password'
// The role that owns exitbot's tables (`exitbot db grant`, docs/operations.md); the identity
// is granted it and migrates as it when it starts. The SingleTenant bot's login owns them.
var databaseOwnerRole = isManagedIdentity ? 'exitbot_owner' : ''

var image = empty(containerImage) ? '${registry.properties.loginServer}/exitbot:not-deployed-yet' : containerImage

// Every setting the service reads in Azure (README's table); tests/deploy checks this list
// against bot/settings.py. Secrets are Key Vault references, resolved by App Service with the
// managed identity (keyVaultReferenceIdentity); no secret value is an app setting.
var commonAppSettings = [
  {
    name: 'EXITBOT_LOCAL_MODE'
    value: 'false'
  }
  {
    name: 'MICROSOFT_APP_TYPE'
    value: botAppType
  }
  {
    name: 'MICROSOFT_APP_ID'
    value: appId
  }
  {
    name: 'MICROSOFT_APP_TENANT_ID'
    value: tenant().tenantId
  }
  {
    name: 'DATABASE_URL'
    value: databaseUrlSetting
  }
  {
    name: 'DATABASE_AUTH'
    value: databaseAuth
  }
  {
    name: 'DATABASE_OWNER_ROLE'
    value: databaseOwnerRole
  }
  {
    name: 'EXITBOT_MIGRATE_ON_START'
    value: 'true'
  }
  {
    name: 'EXITBOT_CONFIG_DIR'
    value: '/etc/exitbot/config'
  }
  {
    name: 'EXITBOT_HOST'
    value: '0.0.0.0'
  }
  {
    name: 'EXITBOT_PORT'
    value: port
  }
  {
    name: 'EXITBOT_DIRECTORY'
    value: 'graph'
  }
  {
    name: 'GRAPH_CREDENTIAL'
    value: isManagedIdentity ? 'managed_identity' : 'client_secret'
  }
  {
    name: 'TEAMS_APP_CATALOG_ID'
    value: teamsAppCatalogId
  }
  {
    name: 'TEAMS_SERVICE_URL'
    value: teamsServiceUrl
  }
  {
    name: 'EXITBOT_API_AUDIENCES'
    value: apiAudiences
  }
  {
    name: 'EXITBOT_LOG_LEVEL'
    value: logLevel
  }
  {
    name: 'WEBSITES_PORT'
    value: port
  }
  {
    name: 'WEBSITES_ENABLE_APP_SERVICE_STORAGE'
    value: 'false'
  }
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: insights.properties.ConnectionString
  }
]
var secretAppSettings = isManagedIdentity ? [] : [
  {
    name: 'MICROSOFT_APP_PASSWORD'
    value: '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/microsoft-app-password)'
  }
]
var appSettings = concat(commonAppSettings, secretAppSettings)

resource web 'Microsoft.Web/sites@2024-04-01' = {
  // checkov:skip=CKV_AZURE_222: Teams' Bot Connector calls /api/messages from the internet; every request needs a Bot Framework or Entra ID token
  // checkov:skip=CKV_AZURE_17: the Bot Connector presents no client certificate; it authenticates with a signed token
  // checkov:skip=CKV_AZURE_212: instanceCount (default 1 for a trial) sets the instances; several run safely on PostgreSQL
  name: '${resourceBaseName}-app'
  location: location
  tags: tags
  kind: 'app,linux,container'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    // privateNetworking: every outbound call (PostgreSQL, Key Vault) goes through the network.
    virtualNetworkSubnetId: privateNetworking ? appSubnetId : null
    vnetRouteAllEnabled: privateNetworking
    siteConfig: {
      linuxFxVersion: 'DOCKER|${image}'
      acrUseManagedIdentityCreds: true
      acrUserManagedIdentityID: identity.properties.clientId
      alwaysOn: appServiceSku != 'F1'
      healthCheckPath: '/healthz/ready'
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: appSettings
    }
  }
  dependsOn: [
    vaultReader
    imagePuller
    appPassword
    vnet
  ]
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = if (privateNetworking) {
  name: vnetName
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        vnetAddressPrefix
      ]
    }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: appSubnetPrefix
          delegations: [
            {
              name: 'app-service'
              properties: {
                serviceName: 'Microsoft.Web/serverFarms'
              }
            }
          ]
        }
      }
      {
        name: 'endpoints'
        properties: {
          addressPrefix: endpointSubnetPrefix
        }
      }
    ]
  }
}

// Private endpoints: PostgreSQL and Key Vault answer at private addresses in the network, their
// public names resolve there through private DNS zones (public cloud names).
module postgresEndpoint 'private-endpoint.bicep' = if (privateNetworking) {
  name: 'postgres-endpoint'
  params: {
    name: '${resourceBaseName}-pg-pe'
    location: location
    tags: tags
    subnetId: endpointSubnetId
    vnetId: vnet.id
    targetId: postgres.id
    groupId: 'postgresqlServer'
    dnsZoneName: 'privatelink.postgres.database.azure.com'
  }
}

module vaultEndpoint 'private-endpoint.bicep' = if (privateNetworking) {
  name: 'vault-endpoint'
  params: {
    name: '${resourceBaseName}-kv-pe'
    location: location
    tags: tags
    subnetId: endpointSubnetId
    vnetId: vnet.id
    targetId: vault.id
    groupId: 'vault'
    dnsZoneName: 'privatelink.vaultcore.azure.net'
  }
  dependsOn: [
    postgresEndpoint // one endpoint at a time in the subnet
  ]
}

resource webLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs-to-workspace'
  scope: web
  properties: {
    workspaceId: logs.id
    logs: [
      {
        category: 'AppServiceConsoleLogs'
        enabled: true
      }
      {
        category: 'AppServiceHTTPLogs'
        enabled: true
      }
      {
        category: 'AppServicePlatformLogs'
        enabled: true
      }
    ]
  }
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${resourceBaseName}-bot'
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: {
    name: 'F0'
  }
  properties: {
    displayName: 'Exit conversation'
    endpoint: 'https://${web.properties.defaultHostName}/api/messages'
    msaAppId: appId
    msaAppType: botAppType
    msaAppTenantId: tenant().tenantId
    msaAppMSIResourceId: isManagedIdentity ? identity.id : null
    developerAppInsightKey: insights.properties.InstrumentationKey
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

// Outputs become variables in env/.env.<environment> (arm/deploy), used by deploy and publish.
output MICROSOFT_APP_ID string = appId
output MICROSOFT_APP_TENANT_ID string = tenant().tenantId
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
output MANAGED_IDENTITY_NAME string = identity.name
output EXITBOT_PUBLIC_HOSTNAME string = web.properties.defaultHostName
output AZURE_WEB_APP_NAME string = web.name
output AZURE_WEB_APP_RESOURCE_ID string = web.id
output AZURE_CONTAINER_REGISTRY_NAME string = registry.name
output AZURE_KEY_VAULT_NAME string = vault.name
output AZURE_POSTGRES_SERVER_NAME string = postgres.name
