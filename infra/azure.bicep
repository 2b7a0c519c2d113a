// exitbot in one resource group: the Azure Bot, App Service running the container image,
// PostgreSQL Flexible Server, Key Vault for the secrets, Application Insights, and one
// user-assigned managed identity that is the bot's identity, reads Graph, pulls the image and
// reads Key Vault. Provisioned by `arm/deploy` in m365agents.yml (parameters in
// azure.parameters.json); docs/operations.md walks through it.
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

@description('The image to run, e.g. <registry>.azurecr.io/exitbot:<tag>; empty runs <registry>/exitbot:latest, which the deploy step pushes.')
param containerImage string = ''

@description('PostgreSQL administrator login; the service connects with it (its password is generated into Key Vault by the parameter file).')
param postgresAdminLogin string = 'exitbot'

@description('PostgreSQL administrator password; lives in Key Vault as part of the database-url secret.')
@secure()
param postgresAdminPassword string

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
  sku: {
    name: 'Basic'
  }
  properties: {
    adminUserEnabled: false
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
    administratorLogin: postgresAdminLogin
    administratorLoginPassword: postgresAdminPassword
    storage: {
      storageSizeGB: 32
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: postgresBackupRetentionDays
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
    authConfig: {
      // The password login is for migrations from the pipeline (infra/deploy.sh); the
      // service itself signs in with the managed identity's token (DATABASE_AUTH=entra).
      passwordAuth: 'Enabled'
      activeDirectoryAuth: isManagedIdentity ? 'Enabled' : 'Disabled'
      tenantId: tenant().tenantId
    }
  }
}

// The managed identity as the server's Entra ID administrator, so the service needs no
// database password. (A narrower role is pgaadauth_create_principal, run once by hand.)
resource postgresIdentity 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = if (isManagedIdentity) {
  parent: postgres
  name: identity.properties.principalId
  properties: {
    principalType: 'ServicePrincipal'
    principalName: identity.name
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

// Public access limited to Azure's own addresses (App Service's outbound ones among them).
// A VNet with private access is the stricter choice; docs/operations.md says how.
resource postgresFromAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: postgres
  name: 'AllowAzureServices'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

resource databaseUrl 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'database-url'
  properties: {
    contentType: 'DATABASE_URL'
    value: 'postgresql+asyncpg://${postgresAdminLogin}:${uriComponent(postgresAdminPassword)}@${postgres.properties.fullyQualifiedDomainName}:5432/${databaseName}?ssl=require'
  }
}

resource appPassword 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!isManagedIdentity) {
  parent: vault
  name: 'microsoft-app-password'
  properties: {
    contentType: 'MICROSOFT_APP_PASSWORD'
    value: botAppPassword
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
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

var image = empty(containerImage) ? '${registry.properties.loginServer}/exitbot:latest' : containerImage

// Every setting the service reads in Azure (README's table); tests/deploy checks this list
// against bot/settings.py. Secrets are Key Vault references, resolved by App Service with the
// managed identity (keyVaultReferenceIdentity); no secret value is an app setting.
var appSettings = concat(
  [
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
  ],
  isManagedIdentity ? [] : [
    {
      name: 'MICROSOFT_APP_PASSWORD'
      value: '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/microsoft-app-password)'
    }
  ]
)

resource web 'Microsoft.Web/sites@2024-04-01' = {
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
output EXITBOT_PUBLIC_HOSTNAME string = web.properties.defaultHostName
output AZURE_WEB_APP_NAME string = web.name
output AZURE_WEB_APP_RESOURCE_ID string = web.id
output AZURE_CONTAINER_REGISTRY_NAME string = registry.name
output AZURE_KEY_VAULT_NAME string = vault.name
output AZURE_POSTGRES_SERVER_NAME string = postgres.name
