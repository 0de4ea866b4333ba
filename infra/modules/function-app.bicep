metadata name = 'Notify function app on Flex Consumption'
metadata description = 'The Flex Consumption plan and the .NET isolated function app, with identity-based storage, Key Vault references for secrets and Entra ID authenticated Application Insights.'

import { consoleSignInType, notifySettingsType, secretNames } from 'shared.bicep'

@description('Required. Name of the function app (globally unique host name).')
param name string

@description('Required. Name of the Flex Consumption plan.')
param planName string

@description('Required. Location of the plan and the app (a region that offers Flex Consumption).')
param location string

@description('Optional. Tags of the plan and the app; the app adds azd-service-name.')
param tags object = {}

@description('Optional. The azd service name in azure.yaml that deploys to this app.')
param serviceName string = 'api'

@description('Required. Resource id of the user-assigned identity the app runs as.')
param identityResourceId string

@description('Required. Client id of that identity.')
param identityClientId string

@description('Required. Blob endpoint of the storage account (ends with /).')
param storageBlobEndpoint string

@description('Required. Queue endpoint of the storage account.')
param storageQueueEndpoint string

@description('Required. Table endpoint of the storage account.')
param storageTableEndpoint string

@description('Required. Name of the blob container for deployment packages.')
param deploymentContainerName string

@description('Required. Application Insights connection string (not a secret: local auth is off).')
param applicationInsightsConnectionString string

@description('Required. URI of the Key Vault that holds the provider secrets (ends with /).')
param keyVaultUri string

@description('Optional. Notify settings and which providers are configured.')
param notify notifySettingsType = {}

@description('Optional. Entra ID sign-in (App Service Authentication) in front of /console; null for none.')
param consoleSignIn consoleSignInType?

@description('Optional. Memory per instance in MB (Flex Consumption sizes).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Optional. Upper bound on instances the plan scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Optional. Allow FTP and SCM basic-auth publishing credentials. Off: azd and the Azure CLI deploy to Flex Consumption with Entra ID.')
param allowBasicPublishingCredentials bool = false

@description('Optional. Resource id of a subnet delegated to Microsoft.App/environments: the app integrates with that virtual network and sends all outbound traffic through it (storage, Key Vault and the providers). Empty for none.')
param virtualNetworkSubnetId string = ''

@description('Optional. Resource id of a Log Analytics workspace that receives the function app\'s logs (FunctionAppLogs) and platform metrics. Empty for none.')
param logAnalyticsWorkspaceId string = ''

// Pinned, not "latest": a runtime upgrade is a reviewed change to this line.
var runtime = {
  name: 'dotnet-isolated'
  version: '10.0'
}

@description('A Key Vault reference to the current version of a secret (versionless URI, so a rotated secret is picked up).')
func keyVaultReference(vaultUri string, secretName string) string =>
  '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/${secretName}/)'

// App settings are built from arrays with literal names, so the names can be read from the compiled template
// (tests/Notify.Infra.Tests compares them with infra/app-settings.json). Flex Consumption sets the worker
// runtime from functionAppConfig: FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION must not be set.
var requiredAppSettings = [
  // The Functions runtime's own storage (triggers' leases, timers, host keys), by managed identity.
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
  { name: 'AzureWebJobsStorage__blobServiceUri', value: storageBlobEndpoint }
  { name: 'AzureWebJobsStorage__queueServiceUri', value: storageQueueEndpoint }
  { name: 'AzureWebJobsStorage__tableServiceUri', value: storageTableEndpoint }
  // Notify's data and its queue triggers (Connection = "Storage").
  { name: 'Storage__credential', value: 'managedidentity' }
  { name: 'Storage__clientId', value: identityClientId }
  { name: 'Storage__tableServiceUri', value: storageTableEndpoint }
  { name: 'Storage__queueServiceUri', value: storageQueueEndpoint }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsightsConnectionString }
  // Application Insights has local auth disabled: the host authenticates its telemetry as this identity.
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
  // DefaultAzureCredential picks the user-assigned identity by this.
  { name: 'AZURE_CLIENT_ID', value: identityClientId }
  // The console is always served, so its session key always is: generated at deployment unless given.
  { name: 'Notify__Console__SigningKey', value: keyVaultReference(keyVaultUri, secretNames.consoleSigningKey) }
]

// Each group is set only when the setting (or its provider) is configured; see appSettings below.
var optionalAppSettings = {
  rateLimitDefaultPush: [
    { name: 'Notify__RateLimits__Default__Push', value: string(notify.?rateLimitDefaultPush ?? 0) }
  ]
  rateLimitDefaultEmail: [
    { name: 'Notify__RateLimits__Default__Email', value: string(notify.?rateLimitDefaultEmail ?? 0) }
  ]
  rateLimitDefaultSms: [
    { name: 'Notify__RateLimits__Default__Sms', value: string(notify.?rateLimitDefaultSms ?? 0) }
  ]
  deliveryMaxAttempts: [
    { name: 'Notify__Delivery__MaxAttempts', value: string(notify.?deliveryMaxAttempts ?? 0) }
  ]
  deliveryDeliveriesPerMessage: [
    { name: 'Notify__Delivery__DeliveriesPerMessage', value: string(notify.?deliveryDeliveriesPerMessage ?? 0) }
  ]
  deliveryParallelismPerMessage: [
    { name: 'Notify__Delivery__ParallelismPerMessage', value: string(notify.?deliveryParallelismPerMessage ?? 0) }
  ]
  quotaRequestsPerSecond: [
    { name: 'Notify__Security__Quota__RequestsPerSecond', value: string(notify.?quotaRequestsPerSecond ?? 0) }
  ]
  quotaBurst: [
    { name: 'Notify__Security__Quota__Burst', value: string(notify.?quotaBurst ?? 0) }
  ]
  deliveryRetryBaseDelay: [
    { name: 'Notify__Delivery__RetryBaseDelay', value: notify.?deliveryRetryBaseDelay ?? '' }
  ]
  deliveryRetryMaxDelay: [
    { name: 'Notify__Delivery__RetryMaxDelay', value: notify.?deliveryRetryMaxDelay ?? '' }
  ]
  // A list binds from indexed names; the parameter allows at most four entries, one literal name each.
  trustedProxy0: [
    { name: 'Notify__Security__TrustedProxies__0', value: notify.?trustedProxies[?0] ?? '' }
  ]
  trustedProxy1: [
    { name: 'Notify__Security__TrustedProxies__1', value: notify.?trustedProxies[?1] ?? '' }
  ]
  trustedProxy2: [
    { name: 'Notify__Security__TrustedProxies__2', value: notify.?trustedProxies[?2] ?? '' }
  ]
  trustedProxy3: [
    { name: 'Notify__Security__TrustedProxies__3', value: notify.?trustedProxies[?3] ?? '' }
  ]
  consoleSessionMinutes: [
    { name: 'Notify__Console__SessionMinutes', value: string(notify.?consoleSessionMinutes ?? 0) }
  ]
  consoleContactLookupKey: [
    {
      name: 'Notify__Console__ContactLookupKey'
      value: keyVaultReference(keyVaultUri, secretNames.consoleContactLookupKey)
    }
  ]
  fcm: [
    { name: 'Notify__Providers__Fcm__ProjectId', value: notify.?fcm.?projectId ?? '' }
    {
      name: 'Notify__Providers__Fcm__ServiceAccountJson'
      value: keyVaultReference(keyVaultUri, secretNames.fcmServiceAccountJson)
    }
  ]
  apns: [
    { name: 'Notify__Providers__Apns__KeyId', value: notify.?apns.?keyId ?? '' }
    { name: 'Notify__Providers__Apns__TeamId', value: notify.?apns.?teamId ?? '' }
    { name: 'Notify__Providers__Apns__PrivateKey', value: keyVaultReference(keyVaultUri, secretNames.apnsPrivateKey) }
    { name: 'Notify__Providers__Apns__Topic', value: notify.?apns.?topic ?? '' }
    { name: 'Notify__Providers__Apns__Environment', value: notify.?apns.?environment ?? 'production' }
  ]
  sendGrid: [
    { name: 'Notify__Providers__SendGrid__ApiKey', value: keyVaultReference(keyVaultUri, secretNames.sendGridApiKey) }
    { name: 'Notify__Providers__SendGrid__FromEmail', value: notify.?sendGrid.?fromEmail ?? '' }
  ]
  sendGridFromName: [
    { name: 'Notify__Providers__SendGrid__FromName', value: notify.?sendGrid.?fromName ?? '' }
  ]
  twilio: [
    { name: 'Notify__Providers__Twilio__AccountSid', value: notify.?twilio.?accountSid ?? '' }
    { name: 'Notify__Providers__Twilio__AuthToken', value: keyVaultReference(keyVaultUri, secretNames.twilioAuthToken) }
  ]
  twilioFromNumber: [
    { name: 'Notify__Providers__Twilio__FromNumber', value: notify.?twilio.?fromNumber ?? '' }
  ]
  twilioMessagingServiceSid: [
    { name: 'Notify__Providers__Twilio__MessagingServiceSid', value: notify.?twilio.?messagingServiceSid ?? '' }
  ]
  twilioStatusCallbackUrl: [
    { name: 'Notify__Providers__Twilio__StatusCallbackUrl', value: notify.?twilio.?statusCallbackUrl ?? '' }
  ]
  smtp: [
    { name: 'Notify__Providers__Smtp__Host', value: notify.?smtp.?host ?? '' }
    { name: 'Notify__Providers__Smtp__FromEmail', value: notify.?smtp.?fromEmail ?? '' }
  ]
  smtpFromName: [
    { name: 'Notify__Providers__Smtp__FromName', value: notify.?smtp.?fromName ?? '' }
  ]
  smtpPort: [
    { name: 'Notify__Providers__Smtp__Port', value: string(notify.?smtp.?port ?? 0) }
  ]
  smtpSecurity: [
    { name: 'Notify__Providers__Smtp__Security', value: notify.?smtp.?security ?? '' }
  ]
  smtpCredentials: [
    { name: 'Notify__Providers__Smtp__UserName', value: notify.?smtp.?userName ?? '' }
    { name: 'Notify__Providers__Smtp__Password', value: keyVaultReference(keyVaultUri, secretNames.smtpPassword) }
  ]
  vonage: [
    { name: 'Notify__Providers__Vonage__ApiKey', value: notify.?vonage.?apiKey ?? '' }
    { name: 'Notify__Providers__Vonage__ApiSecret', value: keyVaultReference(keyVaultUri, secretNames.vonageApiSecret) }
    { name: 'Notify__Providers__Vonage__From', value: notify.?vonage.?from ?? '' }
  ]
  vonageStatusCallbackUrl: [
    { name: 'Notify__Providers__Vonage__StatusCallbackUrl', value: notify.?vonage.?statusCallbackUrl ?? '' }
  ]
  providerOrderEmail: [
    { name: 'Notify__Providers__Order__Email', value: notify.?providerOrder.?email ?? '' }
  ]
  providerOrderSms: [
    { name: 'Notify__Providers__Order__Sms', value: notify.?providerOrder.?sms ?? '' }
  ]
  consoleEntraClientSecret: [
    // The name App Service Authentication reads the client secret from (clientSecretSettingName below).
    {
      name: 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET'
      value: keyVaultReference(keyVaultUri, secretNames.consoleEntraClientSecret)
    }
  ]
  consoleOidc: [
    { name: 'Notify__Console__Oidc__Authority', value: notify.?consoleOidc.?authority ?? '' }
    { name: 'Notify__Console__Oidc__ClientId', value: notify.?consoleOidc.?clientId ?? '' }
  ]
  consoleOidcClientSecret: [
    {
      name: 'Notify__Console__Oidc__ClientSecret'
      value: keyVaultReference(keyVaultUri, secretNames.consoleEntraClientSecret)
    }
  ]
  consoleOidcRolesClaim: [
    { name: 'Notify__Console__Oidc__RolesClaim', value: notify.?consoleOidc.?rolesClaim ?? '' }
  ]
  consoleOidcOwnerApp: [
    { name: 'Notify__Console__Oidc__OwnerApp', value: notify.?consoleOidc.?ownerApp ?? '' }
  ]
  consoleOidcAppKeySignIn: [
    { name: 'Notify__Console__Oidc__AppKeySignIn', value: string(notify.?consoleOidc.?appKeySignIn ?? false) }
  ]
  alertsWebhook: [
    { name: 'Notify__Alerts__WebhookUrl', value: keyVaultReference(keyVaultUri, secretNames.alertsWebhookUrl) }
  ]
  tracking: [
    { name: 'Notify__Tracking__BaseUrl', value: notify.?tracking.?baseUrl ?? '' }
    { name: 'Notify__Tracking__SigningKey', value: keyVaultReference(keyVaultUri, secretNames.trackingSigningKey) }
  ]
  trackingPreviousSigningKey: [
    {
      name: 'Notify__Tracking__PreviousSigningKey'
      value: keyVaultReference(keyVaultUri, secretNames.trackingPreviousSigningKey)
    }
  ]
  trackingTokenLifetime: [
    { name: 'Notify__Tracking__TokenLifetime', value: notify.?tracking.?tokenLifetime ?? '' }
  ]
  trackingOpenPixel: [
    { name: 'Notify__Tracking__OpenPixel', value: (notify.?tracking.?openPixel ?? true) ? 'true' : 'false' }
  ]
  trackingClickLinks: [
    { name: 'Notify__Tracking__ClickLinks', value: (notify.?tracking.?clickLinks ?? true) ? 'true' : 'false' }
  ]
  preferenceLinks: [
    { name: 'Notify__PreferenceLinks__BaseUrl', value: notify.?preferenceLinks.?baseUrl ?? '' }
    {
      name: 'Notify__PreferenceLinks__SigningKey'
      value: keyVaultReference(keyVaultUri, secretNames.preferenceLinksSigningKey)
    }
  ]
  preferenceLinksPreviousSigningKey: [
    {
      name: 'Notify__PreferenceLinks__PreviousSigningKey'
      value: keyVaultReference(keyVaultUri, secretNames.preferenceLinksPreviousSigningKey)
    }
  ]
  preferenceLinksTokenLifetime: [
    { name: 'Notify__PreferenceLinks__TokenLifetime', value: notify.?preferenceLinks.?tokenLifetime ?? '' }
  ]
  sendGridWebhookPublicKey: [
    { name: 'Notify__Webhooks__SendGrid__PublicKey', value: notify.?sendGridWebhook.?publicKey ?? '' }
  ]
  sendGridWebhookMaxAge: [
    { name: 'Notify__Webhooks__SendGrid__MaxAge', value: notify.?sendGridWebhook.?maxAge ?? '' }
  ]
  twilioWebhookAuthToken: [
    {
      name: 'Notify__Webhooks__Twilio__AuthToken'
      value: keyVaultReference(keyVaultUri, secretNames.twilioWebhookAuthToken)
    }
  ]
  twilioWebhookCallbackUrl: [
    { name: 'Notify__Webhooks__Twilio__CallbackUrl', value: notify.?twilioWebhook.?callbackUrl ?? '' }
  ]
  twilioWebhookMaxAge: [
    { name: 'Notify__Webhooks__Twilio__MaxAge', value: notify.?twilioWebhook.?maxAge ?? '' }
  ]
}

// Per-app limits are named by app key, so their names are built here (the tests read them from the format string).
var rateLimitAppSettings = flatten(map(items(notify.?rateLimitApps ?? {}), app => concat(
  app.value.?push == null ? [] : [{ name: 'Notify__RateLimits__Apps__${app.key}__Push', value: string(app.value.push) }],
  app.value.?email == null ? [] : [{ name: 'Notify__RateLimits__Apps__${app.key}__Email', value: string(app.value.email) }],
  app.value.?sms == null ? [] : [{ name: 'Notify__RateLimits__Apps__${app.key}__Sms', value: string(app.value.sms) }]
)))

var quotaAppSettings = flatten(map(items(notify.?quotaApps ?? {}), app => concat(
  app.value.?requestsPerSecond == null
    ? []
    : [{ name: 'Notify__Security__Quota__Apps__${app.key}__RequestsPerSecond', value: string(app.value.requestsPerSecond) }],
  app.value.?burst == null ? [] : [{ name: 'Notify__Security__Quota__Apps__${app.key}__Burst', value: string(app.value.burst) }]
)))

var appSettings = concat(
  requiredAppSettings,
  rateLimitAppSettings,
  quotaAppSettings,
  notify.?quotaRequestsPerSecond == null ? [] : optionalAppSettings.quotaRequestsPerSecond,
  notify.?quotaBurst == null ? [] : optionalAppSettings.quotaBurst,
  notify.?rateLimitDefaultPush == null ? [] : optionalAppSettings.rateLimitDefaultPush,
  notify.?rateLimitDefaultEmail == null ? [] : optionalAppSettings.rateLimitDefaultEmail,
  notify.?rateLimitDefaultSms == null ? [] : optionalAppSettings.rateLimitDefaultSms,
  notify.?deliveryMaxAttempts == null ? [] : optionalAppSettings.deliveryMaxAttempts,
  notify.?deliveryDeliveriesPerMessage == null ? [] : optionalAppSettings.deliveryDeliveriesPerMessage,
  notify.?deliveryParallelismPerMessage == null ? [] : optionalAppSettings.deliveryParallelismPerMessage,
  empty(notify.?deliveryRetryBaseDelay ?? '') ? [] : optionalAppSettings.deliveryRetryBaseDelay,
  empty(notify.?deliveryRetryMaxDelay ?? '') ? [] : optionalAppSettings.deliveryRetryMaxDelay,
  length(notify.?trustedProxies ?? []) > 0 ? optionalAppSettings.trustedProxy0 : [],
  length(notify.?trustedProxies ?? []) > 1 ? optionalAppSettings.trustedProxy1 : [],
  length(notify.?trustedProxies ?? []) > 2 ? optionalAppSettings.trustedProxy2 : [],
  length(notify.?trustedProxies ?? []) > 3 ? optionalAppSettings.trustedProxy3 : [],
  notify.?consoleSessionMinutes == null ? [] : optionalAppSettings.consoleSessionMinutes,
  (notify.?consoleContactLookupKey ?? false) ? optionalAppSettings.consoleContactLookupKey : [],
  notify.?fcm == null ? [] : optionalAppSettings.fcm,
  notify.?apns == null ? [] : optionalAppSettings.apns,
  notify.?sendGrid == null ? [] : optionalAppSettings.sendGrid,
  empty(notify.?sendGrid.?fromName ?? '') ? [] : optionalAppSettings.sendGridFromName,
  notify.?twilio == null ? [] : optionalAppSettings.twilio,
  empty(notify.?twilio.?fromNumber ?? '') ? [] : optionalAppSettings.twilioFromNumber,
  empty(notify.?twilio.?messagingServiceSid ?? '') ? [] : optionalAppSettings.twilioMessagingServiceSid,
  empty(notify.?twilio.?statusCallbackUrl ?? '') ? [] : optionalAppSettings.twilioStatusCallbackUrl,
  notify.?smtp == null ? [] : optionalAppSettings.smtp,
  empty(notify.?smtp.?fromName ?? '') ? [] : optionalAppSettings.smtpFromName,
  notify.?smtp.?port == null ? [] : optionalAppSettings.smtpPort,
  empty(notify.?smtp.?security ?? '') ? [] : optionalAppSettings.smtpSecurity,
  empty(notify.?smtp.?userName ?? '') ? [] : optionalAppSettings.smtpCredentials,
  notify.?vonage == null ? [] : optionalAppSettings.vonage,
  empty(notify.?vonage.?statusCallbackUrl ?? '') ? [] : optionalAppSettings.vonageStatusCallbackUrl,
  empty(notify.?providerOrder.?email ?? '') ? [] : optionalAppSettings.providerOrderEmail,
  empty(notify.?providerOrder.?sms ?? '') ? [] : optionalAppSettings.providerOrderSms,
  (notify.?consoleEntraClientSecret ?? false) ? optionalAppSettings.consoleEntraClientSecret : [],
  notify.?consoleOidc == null ? [] : optionalAppSettings.consoleOidc,
  notify.?consoleOidc != null && (notify.?consoleEntraClientSecret ?? false) ? optionalAppSettings.consoleOidcClientSecret : [],
  empty(notify.?consoleOidc.?rolesClaim ?? '') ? [] : optionalAppSettings.consoleOidcRolesClaim,
  empty(notify.?consoleOidc.?ownerApp ?? '') ? [] : optionalAppSettings.consoleOidcOwnerApp,
  notify.?consoleOidc.?appKeySignIn == null ? [] : optionalAppSettings.consoleOidcAppKeySignIn,
  (notify.?alertsWebhook ?? false) ? optionalAppSettings.alertsWebhook : [],
  notify.?tracking == null ? [] : optionalAppSettings.tracking,
  (notify.?tracking.?previousSigningKey ?? false) ? optionalAppSettings.trackingPreviousSigningKey : [],
  empty(notify.?tracking.?tokenLifetime ?? '') ? [] : optionalAppSettings.trackingTokenLifetime,
  notify.?tracking.?openPixel == null ? [] : optionalAppSettings.trackingOpenPixel,
  notify.?tracking.?clickLinks == null ? [] : optionalAppSettings.trackingClickLinks,
  notify.?preferenceLinks == null ? [] : optionalAppSettings.preferenceLinks,
  (notify.?preferenceLinks.?previousSigningKey ?? false) ? optionalAppSettings.preferenceLinksPreviousSigningKey : [],
  empty(notify.?preferenceLinks.?tokenLifetime ?? '') ? [] : optionalAppSettings.preferenceLinksTokenLifetime,
  empty(notify.?sendGridWebhook.?publicKey ?? '') ? [] : optionalAppSettings.sendGridWebhookPublicKey,
  empty(notify.?sendGridWebhook.?maxAge ?? '') ? [] : optionalAppSettings.sendGridWebhookMaxAge,
  (notify.?twilioWebhook.?authToken ?? false) ? optionalAppSettings.twilioWebhookAuthToken : [],
  empty(notify.?twilioWebhook.?callbackUrl ?? '') ? [] : optionalAppSettings.twilioWebhookCallbackUrl,
  empty(notify.?twilioWebhook.?maxAge ?? '') ? [] : optionalAppSettings.twilioWebhookMaxAge
)

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve as the user-assigned identity (the property takes its resource id).
    keyVaultReferenceIdentity: identityResourceId
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: appSettings
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        // No alwaysReady instances: the app scales to zero when idle (a cold start on the first request).
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: runtime
    }
  }
}

resource siteDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = if (!empty(logAnalyticsWorkspaceId)) {
  name: 'app-logs-to-log-analytics'
  scope: site
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'FunctionAppLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

// Entra ID sign-in in front of the console only: everything under /api authenticates on its own (app keys,
// provider signatures, signed tracking tokens) and must stay reachable by services, providers and mail clients;
// /admin and /runtime are the Functions host's own, key-authenticated endpoints.
var consoleSignInExcludedPaths = [
  '/api/*'
  '/admin/*'
  '/runtime/*'
]

resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  // Deployed either way, so leaving consoleSignIn out at the next deployment turns the sign-in off again.
  properties: {
    platform: {
      enabled: consoleSignIn != null
    }
    globalValidation: consoleSignIn == null
      ? null
      : {
          requireAuthentication: true
          unauthenticatedClientAction: 'RedirectToLoginPage'
          redirectToProvider: 'azureactivedirectory'
          excludedPaths: consoleSignInExcludedPaths
        }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: consoleSignIn == null
      ? null
      : {
          azureActiveDirectory: {
            enabled: true
            registration: {
              clientId: consoleSignIn.?clientId ?? ''
              openIdIssuer: '${environment().authentication.loginEndpoint}${consoleSignIn.?tenantId ?? ''}/v2.0'
              clientSecretSettingName: (notify.?consoleEntraClientSecret ?? false)
                ? 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET'
                : null
            }
            validation: {
              defaultAuthorizationPolicy: empty(consoleSignIn.?allowedGroupIds ?? [])
                ? null
                : {
                    allowedPrincipals: {
                      groups: consoleSignIn.?allowedGroupIds
                    }
                  }
            }
          }
        }
    login: {
      // No token store: the sign-in's own session cookie is all the console needs, and Flex Consumption has no
      // file system to keep tokens on.
      tokenStore: {
        enabled: false
      }
    }
  }
}

resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: allowBasicPublishingCredentials
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: allowBasicPublishingCredentials
  }
}

@description('The resource id of the function app.')
output resourceId string = site.id

@description('The name of the function app.')
output name string = site.name

@description('The default host name of the function app.')
output defaultHostName string = site.properties.defaultHostName

@description('The app setting names this deployment sets (names only, never values).')
output appSettingNames string[] = map(appSettings, setting => setting.name)
