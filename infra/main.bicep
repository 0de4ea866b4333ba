metadata name = 'Notify'
metadata description = 'Notify on Azure: a Flex Consumption function app (.NET isolated) with Storage tables and queues, Key Vault for provider secrets, Application Insights, alert rules, and optionally a private network (vnetEnabled). Deploy into a resource group: az deployment group create -g <rg> -f infra/main.bicep -p infra/main.bicepparam'

targetScope = 'resourceGroup'

import { roleDefinitionIds, secretNames, notifySettingsType, consoleSignInType } from 'modules/shared.bicep'

// ---------------------------------------------------------------------------------------------------------------
// Environment

@description('Required. Name of the environment (azd: AZURE_ENV_NAME), e.g. notify-dev. It seeds the resource token in every resource name and is the azd-env-name tag.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Optional. Location of every resource; a region that offers Flex Consumption (the list is the azd Flex Consumption quickstart\'s; `az functionapp list-flexconsumption-locations` shows today\'s). Defaults to the resource group\'s.')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
// any(): the group's location is checked against the list above at deployment, not at compile time.
param location string = any(resourceGroup().location)

@description('Optional. Object id of a person, group or service principal that operates Notify: in development the deployer (azd: AZURE_PRINCIPAL_ID), in production the operators\' group. It gets table and queue data access to create apps and replay dead letters with the admin CLI. Empty for none.')
param principalId string = ''

@description('Optional. The type of principalId (azd: AZURE_PRINCIPAL_TYPE). Empty lets Azure look it up, which works for a user, a group and a pipeline\'s service principal alike; give it to skip the lookup for a principal created moments ago.')
@allowed([
  ''
  'User'
  'Group'
  'ServicePrincipal'
])
param principalType string = ''

@description('Optional. Also give principalId Key Vault Secrets Officer on the vault, so operators can rotate provider secrets there (the documented way to rotate).')
param operatorKeyVaultSecretsOfficer bool = false

@description('Optional. Tags added to every resource, beside azd-env-name.')
param tags object = {}

// ---------------------------------------------------------------------------------------------------------------
// Private network (off by default, like the azd Flex Consumption quickstart)

@description('Optional. Put the app in a virtual network: VNet integration on a subnet delegated to Microsoft.App/environments, private endpoints and private DNS zones for blob, queue, table and Key Vault, and storage and Key Vault closed to the public internet. Operators then need a path in for the admin CLI and secret rotation (docs/deploy.md).')
param vnetEnabled bool = false

@description('Optional. Address space of the virtual network (vnetEnabled).')
param vnetAddressPrefix string = '10.0.0.0/16'

@description('Optional. Subnet the app integrates with (vnetEnabled), delegated to Microsoft.App/environments and used by nothing else. A Flex Consumption app takes a bounded number of its addresses, not one per instance (docs/deploy.md, "Private network", has the sizing and what of it is unverified); the /22 default leaves room to spare.')
param vnetAppSubnetPrefix string = '10.0.0.0/22'

@description('Optional. Subnet of the private endpoints (vnetEnabled).')
param vnetPrivateEndpointSubnetPrefix string = '10.0.4.0/24'

@description('Optional. A NAT gateway with a static public IP on the app subnet (vnetEnabled): one fixed outbound address for providers and SMTP relays that allow-list senders. Recommended in production, where default outbound access is being retired.')
param natGatewayEnabled bool = false

// ---------------------------------------------------------------------------------------------------------------
// Sizing and retention

@description('Optional. Storage replication. Standard_ZRS survives a zone outage; Standard_LRS is cheapest.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Optional. Memory per function app instance in MB.')
@allowed([
  512
  2048
  4096
])
param functionAppInstanceMemoryMB int = 2048

@description('Optional. Upper bound on function app instances.')
@minValue(40)
@maxValue(1000)
param functionAppMaximumInstanceCount int = 100

@description('Optional. Allow FTP/SCM basic-auth publishing credentials on the function app. Off: azd deploy and az functionapp deployment use Entra ID.')
param allowBasicPublishingCredentials bool = false

@description('Optional. Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Optional. Daily Log Analytics ingestion cap in GB, -1 for none. Logs past the cap are dropped until the next day, alerts included.')
param logDailyQuotaGb int = -1

@description('Optional. Key Vault purge protection (irreversible once on). Recommended in production.')
param keyVaultEnablePurgeProtection bool = false

// ---------------------------------------------------------------------------------------------------------------
// Alerts

@description('Optional. E-mail addresses the alert rules notify.')
param alertEmailAddresses string[] = []

@description('Optional. Webhook (e.g. a chat or paging integration) the alert rules call with the common alert schema.')
@secure()
param alertWebhookServiceUri string = ''

@description('Optional. Minutes a queue message may wait before a worker starts on it; keep it above Notify__Delivery__RetryMaxDelay (30 minutes by default), because retries wait in the queue on purpose.')
@minValue(1)
param queueAgeAlertThresholdMinutes int = 60

@description('Optional. Per-channel delivery failure percentage (over an hour) that raises an alert.')
@minValue(1)
@maxValue(100)
param failureRateAlertThresholdPercent int = 10

@description('Optional. Finished deliveries a channel needs in an hour before its failure rate is judged.')
@minValue(1)
param failureRateAlertMinimumDeliveries int = 20

// ---------------------------------------------------------------------------------------------------------------
// Notify settings (each set only when given; the app's defaults apply otherwise)

@description('Optional. Notify__RateLimits__Default__Push: per-user push notifications per hour.')
@minValue(0)
@maxValue(100000)
param rateLimitDefaultPush int?

@description('Optional. Notify__RateLimits__Default__Email: per-user e-mails per hour.')
@minValue(0)
@maxValue(100000)
param rateLimitDefaultEmail int?

@description('Optional. Notify__RateLimits__Default__Sms: per-user SMS per hour.')
@minValue(0)
@maxValue(100000)
param rateLimitDefaultSms int?

@description('Optional. Notify__RateLimits__Apps__{appKey}__Push / __Email / __Sms: per-user hourly limits for the notifications one app sends, by app key, each overriding the default for that app and channel, e.g. { \'shop\': { sms: 2 } }.')
param rateLimitApps {
  @description('An app key.')
  *: {
    @description('Optional. Push notifications per user per hour for this app.')
    @minValue(0)
    @maxValue(100000)
    push: int?

    @description('Optional. E-mails per user per hour for this app.')
    @minValue(0)
    @maxValue(100000)
    email: int?

    @description('Optional. SMS per user per hour for this app.')
    @minValue(0)
    @maxValue(100000)
    sms: int?
  }
} = {}

@description('Optional. Notify__Security__Quota__RequestsPerSecond: each app\'s API requests per second (a token bucket per app and instance; the app\'s default is 100). Whole numbers here.')
@minValue(1)
@maxValue(1000000)
param quotaRequestsPerSecond int?

@description('Optional. Notify__Security__Quota__Burst: requests an app may send at once before the rate applies (the app\'s default is 200).')
@minValue(1)
@maxValue(1000000)
param quotaBurst int?

@description('Optional. Notify__Security__Quota__Apps__{appKey}__RequestsPerSecond / __Burst: per-app overrides of the request quota, by app key, e.g. { \'shop\': { requestsPerSecond: 20 } }.')
param quotaApps {
  @description('An app key.')
  *: {
    @description('Optional. Requests per second for this app.')
    @minValue(1)
    @maxValue(1000000)
    requestsPerSecond: int?

    @description('Optional. Burst for this app.')
    @minValue(1)
    @maxValue(1000000)
    burst: int?
  }
} = {}

@description('Optional. Notify__Delivery__MaxAttempts: provider calls per delivery before it fails.')
@minValue(1)
@maxValue(50)
param deliveryMaxAttempts int?

@description('Optional. Notify__Delivery__RetryBaseDelay: the first retry\'s delay, a .NET TimeSpan that doubles per attempt (the app\'s default is 00:00:05).')
param deliveryRetryBaseDelay string = ''

@description('Optional. Notify__Delivery__RetryMaxDelay: the longest retry delay, a .NET TimeSpan (the app\'s default is 00:30:00). Retries wait in the queue on purpose: keep queueAgeAlertThresholdMinutes above it.')
param deliveryRetryMaxDelay string = ''

@description('Optional. Notify__Delivery__DeliveriesPerMessage: deliveries of one request and channel that share a queue message (1 = a message per delivery).')
@minValue(1)
@maxValue(64)
param deliveryDeliveriesPerMessage int?

@description('Optional. Notify__Delivery__ParallelismPerMessage: deliveries of one queue message sent at once.')
@minValue(1)
@maxValue(64)
param deliveryParallelismPerMessage int?

@description('Optional. Notify__Security__TrustedProxies: the proxies whose X-Forwarded-For is believed, as addresses (a port, 127.0.0.1:80, is accepted) or CIDR networks, at most 4. In Azure Functions the host hands each request to the worker over loopback, so the default names the loopback; an empty list makes every caller share the host\'s address for the failed-authentication throttle.')
@maxLength(4)
param trustedProxies string[] = [
  '127.0.0.1'
  '::1'
]

// Providers: a provider is configured when its values are given, and the deployment fails, naming the missing
// parameter, when only some are (the app would otherwise start without the provider and send that channel to the
// Outbox). Secrets go to Key Vault; the app setting is a Key Vault reference.

@description('Optional. FCM: the Firebase project id. FCM is configured when this and fcmServiceAccountJson are given.')
param fcmProjectId string = ''

@description('Optional. FCM: the service account key JSON (stored in Key Vault).')
@secure()
param fcmServiceAccountJson string = ''

@description('Optional. APNs: the key id of the .p8 signing key. APNs is configured when key id, team id, private key and topic are given; some of them without the rest fails the deployment.')
param apnsKeyId string = ''

@description('Optional. APNs: the Apple developer team id.')
param apnsTeamId string = ''

@description('Optional. APNs: the .p8 private key, PEM text (stored in Key Vault).')
@secure()
param apnsPrivateKey string = ''

@description('Optional. APNs: the app bundle id (apns-topic).')
param apnsTopic string = ''

@description('Optional. APNs: sandbox (development builds) or production.')
@allowed([
  'sandbox'
  'production'
])
param apnsEnvironment string = 'production'

@description('Optional. SendGrid: the API key (stored in Key Vault). SendGrid is configured when this and sendGridFromEmail are given.')
@secure()
param sendGridApiKey string = ''

@description('Optional. SendGrid: the verified sender address.')
param sendGridFromEmail string = ''

@description('Optional. SendGrid: the sender display name.')
param sendGridFromName string = ''

@description('Optional. Twilio: the account SID. Twilio is configured when this, twilioAuthToken and a sender (twilioFromNumber or twilioMessagingServiceSid) are given.')
param twilioAccountSid string = ''

@description('Optional. Twilio: the auth token (stored in Key Vault).')
@secure()
param twilioAuthToken string = ''

@description('Optional. Twilio: the sender number, E.164.')
param twilioFromNumber string = ''

@description('Optional. Twilio: the messaging service SID. Give this or twilioFromNumber, not both (the app requires exactly one; both fail the deployment).')
param twilioMessagingServiceSid string = ''

@description('Optional. Twilio: where Twilio posts delivery status changes (Notify__Providers__Twilio__StatusCallbackUrl), e.g. https://<app host>/api/v1/webhooks/twilio; without it Twilio sends no status callbacks.')
param twilioStatusCallbackUrl string = ''

@description('Optional. SMTP e-mail through any relay (Amazon SES, Mailgun, Postmark, Microsoft 365): the relay\'s host name (Notify__Providers__Smtp__Host). SMTP is configured when this and smtpFromEmail are given.')
param smtpHost string = ''

@description('Optional. SMTP: the relay\'s port (Notify__Providers__Smtp__Port); the app\'s default is 587.')
@minValue(1)
@maxValue(65535)
param smtpPort int?

@description('Optional. SMTP: how the connection is secured (Notify__Providers__Smtp__Security): StartTls (port 587, the app\'s default), Tls (implicit TLS, port 465), or None (a relay on the same network only).')
@allowed([
  ''
  'StartTls'
  'Tls'
  'None'
])
param smtpSecurity string = ''

@description('Optional. SMTP: the user name the relay authenticates (Notify__Providers__Smtp__UserName); give it with smtpPassword, or neither for a relay that trusts the network.')
param smtpUserName string = ''

@description('Optional. SMTP: the password (Notify__Providers__Smtp__Password, stored in Key Vault); required with smtpUserName.')
@secure()
param smtpPassword string = ''

@description('Optional. SMTP: the sender address the relay accepts (Notify__Providers__Smtp__FromEmail).')
param smtpFromEmail string = ''

@description('Optional. SMTP: the sender display name (Notify__Providers__Smtp__FromName).')
param smtpFromName string = ''

@description('Optional. Vonage SMS: the API key (Notify__Providers__Vonage__ApiKey). Vonage is configured when this, vonageApiSecret and vonageFrom are given.')
param vonageApiKey string = ''

@description('Optional. Vonage: the API secret (Notify__Providers__Vonage__ApiSecret, stored in Key Vault).')
@secure()
param vonageApiSecret string = ''

@description('Optional. Vonage: the sender, an E.164 number or an alphanumeric sender id (Notify__Providers__Vonage__From).')
param vonageFrom string = ''

@description('Optional. Vonage: where Vonage posts delivery receipts (Notify__Providers__Vonage__StatusCallbackUrl), e.g. https://<app host>/api/v1/webhooks/vonage; empty: the account\'s default. Needs Vonage configured.')
param vonageStatusCallbackUrl string = ''

@description('Optional. Notify__Providers__Order__Email: the e-mail providers in priority order (failover goes down the list). Empty: the configured ones in the app\'s default order, sendgrid then smtp. Each provider named must be configured.')
@allowed([
  ''
  'sendgrid'
  'smtp'
  'sendgrid,smtp'
  'smtp,sendgrid'
])
param providerOrderEmail string = ''

@description('Optional. Notify__Providers__Order__Sms: the SMS providers in priority order. Empty: the configured ones in the app\'s default order, twilio then vonage. Each provider named must be configured.')
@allowed([
  ''
  'twilio'
  'vonage'
  'twilio,vonage'
  'vonage,twilio'
])
param providerOrderSms string = ''

@description('Optional. Notify__Alerts__WebhookUrl: a URL the app itself posts its alerts to (stored in Key Vault; it usually embeds a token).')
@secure()
param notifyAlertWebhookUrl string = ''

// E-mail open and click tracking: on when trackingBaseUrl is given, and then trackingSigningKey is required (the
// deployment fails naming it otherwise, as the app would at start). The other tracking values apply only then.

@description('Optional. Notify__Tracking__BaseUrl: the public API root, e.g. https://notify.example.com/api; tracking links become {BaseUrl}/v1/t/... Turns open and click tracking on; requires trackingSigningKey.')
param trackingBaseUrl string = ''

@description('Optional. Notify__Tracking__SigningKey: base64 of at least 32 random bytes, the HMAC key of tracking tokens (stored in Key Vault). Required when trackingBaseUrl is given.')
@secure()
param trackingSigningKey string = ''

@description('Optional. Notify__Tracking__PreviousSigningKey: the signing key before the last rotation, so tokens it signed still verify (stored in Key Vault).')
@secure()
param trackingPreviousSigningKey string = ''

@description('Optional. Notify__Tracking__TokenLifetime: how long a pixel or link works, a .NET TimeSpan such as 90.00:00:00 (the app\'s default).')
param trackingTokenLifetime string = ''

@description('Optional. Notify__Tracking__OpenPixel: add the open pixel to HTML e-mail (the app\'s default is true).')
param trackingOpenPixel bool?

@description('Optional. Notify__Tracking__ClickLinks: rewrite the links of HTML e-mail to the click redirect (the app\'s default is true).')
param trackingClickLinks bool?

// Provider webhooks: each value is set only when given. A webhook without its key rejects every request (401).

@description('Optional. Notify__Webhooks__SendGrid__PublicKey: the Signed Event Webhook\'s verification key (base64 or PEM P-256 public key; not a secret).')
param sendGridWebhookPublicKey string = ''

@description('Optional. Notify__Webhooks__SendGrid__MaxAge: signature timestamp tolerance, a .NET TimeSpan (the app\'s default is 00:10:00).')
param sendGridWebhookMaxAge string = ''

@description('Optional. Notify__Webhooks__Twilio__AuthToken: the auth token that signs Twilio callbacks (stored in Key Vault). Leave empty to use twilioAuthToken, the provider\'s.')
@secure()
param twilioWebhookAuthToken string = ''

@description('Optional. Notify__Webhooks__Twilio__CallbackUrl: the public URL Twilio signs. Leave empty to use twilioStatusCallbackUrl.')
param twilioWebhookCallbackUrl string = ''

@description('Optional. Notify__Webhooks__Twilio__MaxAge: callbacks for deliveries last attempted longer ago are stale, a .NET TimeSpan (the app\'s default is 3.00:00:00).')
param twilioWebhookMaxAge string = ''

// ---------------------------------------------------------------------------------------------------------------
// Operator console (/console)

@description('Optional. Notify__Console__SigningKey: the key that signs console session cookies (stored in Key Vault). Leave it out and each deployment stores a freshly generated one (console sessions then end at a provisioning); pass your own to keep it, or an empty string to leave the vault\'s current secret as it is (say, after rotating it there).')
@secure()
param consoleSigningKey string = base64('${newGuid()}${newGuid()}${newGuid()}')

@description('Optional. Notify__Console__SessionMinutes: how long a console session lasts after sign-in, 1-1440 (the app\'s default is 30).')
@minValue(1)
@maxValue(1440)
param consoleSessionMinutes int?

@description('Optional. Notify__Console__ContactLookupKey: base64 of at least 32 random bytes, the HMAC key of the contact index behind the console\'s lookup of a user by e-mail or phone (stored in Key Vault). Empty: the lookup is off. Keep it across deployments: a new key orphans the index written with the old one.')
@secure()
param consoleContactLookupKey string = ''

@description('Optional. Puts Entra ID sign-in (App Service Authentication) in front of /console: the client id of the app registration whose users may open the console. The API, webhooks, tracking links and health stay reachable without it (they authenticate on their own). Empty: no Entra ID sign-in.')
param consoleEntraClientId string = ''

@description('Optional. The Entra ID tenant (id) of that app registration. Empty: the tenant of the deployment.')
param consoleEntraTenantId string = ''

@description('Optional. A client secret of that app registration (stored in Key Vault, the app setting MICROSOFT_PROVIDER_AUTHENTICATION_SECRET is a reference): sign-in then uses the authorization code flow. Empty: the ID token is taken from the sign-in response, which needs ID tokens enabled on the registration.')
@secure()
param consoleEntraClientSecret string = ''

@description('Optional. Object ids of the Entra ID groups whose members may pass the sign-in; empty lets every account the app registration admits through.')
param consoleEntraAllowedGroupIds string[] = []

// ---------------------------------------------------------------------------------------------------------------
// Names

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName, location))
var allTags = union(tags, { 'azd-env-name': environmentName })

var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
var logAnalyticsName = '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
var keyVaultName = '${abbrs.keyVaultVaults}${resourceToken}'
// Container names: 3-63 lowercase letters, digits and hyphens.
var deploymentContainerName = '${abbrs.appContainerPackages}${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'

// One queue per channel, each with the poison queue the Functions runtime moves failed messages to. Must match
// StorageNames in src/Notify.Storage.
var channelQueueNames = [
  'notify-push'
  'notify-email'
  'notify-sms'
  'notify-inbox'
]
var poisonQueueNames = [for queue in channelQueueNames: '${queue}-poison']

// ---------------------------------------------------------------------------------------------------------------
// Providers

// A provider is "given" when any of its values is: then all its required ones must be (checked in notifySettings).
var fcmGiven = !empty(fcmProjectId) || !empty(fcmServiceAccountJson)
var apnsGiven = !empty(apnsKeyId) || !empty(apnsTeamId) || !empty(apnsPrivateKey) || !empty(apnsTopic)
var sendGridGiven = !empty(sendGridApiKey) || !empty(sendGridFromEmail) || !empty(sendGridFromName)
var twilioGiven = !empty(twilioAccountSid) || !empty(twilioAuthToken) || !empty(twilioFromNumber) || !empty(twilioMessagingServiceSid) || !empty(twilioStatusCallbackUrl)
var smtpGiven = !empty(smtpHost) || !empty(smtpFromEmail) || !empty(smtpFromName) || !empty(smtpUserName) || !empty(smtpPassword) || !empty(smtpSecurity) || smtpPort != null
var vonageGiven = !empty(vonageApiKey) || !empty(vonageApiSecret) || !empty(vonageFrom) || !empty(vonageStatusCallbackUrl)
var fcmEnabled = !empty(fcmProjectId) && !empty(fcmServiceAccountJson)
var apnsEnabled = !empty(apnsKeyId) && !empty(apnsTeamId) && !empty(apnsPrivateKey) && !empty(apnsTopic)
var sendGridEnabled = !empty(sendGridApiKey) && !empty(sendGridFromEmail)
var twilioEnabled = !empty(twilioAccountSid) && !empty(twilioAuthToken) && (!empty(twilioFromNumber) || !empty(twilioMessagingServiceSid))
var smtpEnabled = !empty(smtpHost) && !empty(smtpFromEmail)
var smtpCredentialsEnabled = smtpEnabled && !empty(smtpUserName) && !empty(smtpPassword)
var vonageEnabled = !empty(vonageApiKey) && !empty(vonageApiSecret) && !empty(vonageFrom)
// The allowed orders name one or both providers: any value but the one naming only the other names this one.
var orderNamesSendGrid = !empty(providerOrderEmail) && providerOrderEmail != 'smtp'
var orderNamesSmtp = !empty(providerOrderEmail) && providerOrderEmail != 'sendgrid'
var orderNamesTwilio = !empty(providerOrderSms) && providerOrderSms != 'vonage'
var orderNamesVonage = !empty(providerOrderSms) && providerOrderSms != 'twilio'
var consoleSigningKeyGiven = !empty(consoleSigningKey)
var consoleEntraEnabled = !empty(consoleEntraClientId)
var consoleEntraClientSecretEnabled = consoleEntraEnabled && !empty(consoleEntraClientSecret)
var alertsWebhookEnabled = !empty(notifyAlertWebhookUrl)
var trackingEnabled = !empty(trackingBaseUrl)
// A signing key without a base URL stays unused (tracking is off), so it is neither stored nor referenced.
var trackingPreviousSigningKeyEnabled = trackingEnabled && !empty(trackingPreviousSigningKey)
var twilioWebhookAuthTokenEnabled = !empty(twilioWebhookAuthToken)
var consoleContactLookupKeyEnabled = !empty(consoleContactLookupKey)

@description('The deployment\'s failure for a provider given only in part: names the missing parameter and the set it belongs to.')
func missingProviderValue(provider string, missing string, set string) string =>
  '${missing} is missing: ${provider} is configured with ${set} together (give them all, or none; the app would otherwise leave ${provider} out and send its channel to the Outbox)'

var notifySettings notifySettingsType = {
  rateLimitDefaultPush: rateLimitDefaultPush
  rateLimitDefaultEmail: rateLimitDefaultEmail
  rateLimitDefaultSms: rateLimitDefaultSms
  deliveryMaxAttempts: deliveryMaxAttempts
  deliveryDeliveriesPerMessage: deliveryDeliveriesPerMessage
  deliveryParallelismPerMessage: deliveryParallelismPerMessage
  rateLimitApps: rateLimitApps
  quotaRequestsPerSecond: quotaRequestsPerSecond
  quotaBurst: quotaBurst
  quotaApps: quotaApps
  deliveryRetryBaseDelay: empty(deliveryRetryBaseDelay) ? null : deliveryRetryBaseDelay
  deliveryRetryMaxDelay: empty(deliveryRetryMaxDelay) ? null : deliveryRetryMaxDelay
  trustedProxies: trustedProxies
  consoleSessionMinutes: consoleSessionMinutes
  consoleContactLookupKey: consoleContactLookupKeyEnabled
  fcm: !fcmGiven
    ? null
    : !fcmEnabled
        ? fail(missingProviderValue('FCM', empty(fcmProjectId) ? 'fcmProjectId' : 'fcmServiceAccountJson', 'fcmProjectId and fcmServiceAccountJson'))
        : { projectId: fcmProjectId }
  apns: !apnsGiven
    ? null
    : !apnsEnabled
        ? fail(missingProviderValue(
            'APNs',
            empty(apnsKeyId) ? 'apnsKeyId' : empty(apnsTeamId) ? 'apnsTeamId' : empty(apnsPrivateKey) ? 'apnsPrivateKey' : 'apnsTopic',
            'apnsKeyId, apnsTeamId, apnsPrivateKey and apnsTopic'
          ))
        : {
            keyId: apnsKeyId
            teamId: apnsTeamId
            topic: apnsTopic
            environment: apnsEnvironment
          }
  sendGrid: !sendGridGiven
    ? null
    : !sendGridEnabled
        ? fail(missingProviderValue('SendGrid', empty(sendGridApiKey) ? 'sendGridApiKey' : 'sendGridFromEmail', 'sendGridApiKey and sendGridFromEmail'))
        : { fromEmail: sendGridFromEmail, fromName: empty(sendGridFromName) ? null : sendGridFromName }
  // The app requires exactly one Twilio sender: both, like none, fails the deployment.
  twilio: !twilioGiven
    ? null
    : !empty(twilioFromNumber) && !empty(twilioMessagingServiceSid)
        ? fail('twilioFromNumber and twilioMessagingServiceSid are both given: Twilio sends from exactly one of them (Notify__Providers__Twilio__FromNumber / __MessagingServiceSid); leave the other empty')
        : !twilioEnabled
            ? fail(missingProviderValue(
                'Twilio',
                empty(twilioAccountSid) ? 'twilioAccountSid' : empty(twilioAuthToken) ? 'twilioAuthToken' : 'twilioFromNumber or twilioMessagingServiceSid',
                'twilioAccountSid, twilioAuthToken and one sender (twilioFromNumber or twilioMessagingServiceSid)'
              ))
            : {
                accountSid: twilioAccountSid
                fromNumber: empty(twilioFromNumber) ? null : twilioFromNumber
                messagingServiceSid: empty(twilioMessagingServiceSid) ? null : twilioMessagingServiceSid
                statusCallbackUrl: empty(twilioStatusCallbackUrl) ? null : twilioStatusCallbackUrl
              }
  // SMTP credentials are both or neither (the app refuses one without the other; the deployment refuses it first).
  smtp: !smtpGiven
    ? null
    : !smtpEnabled
        ? fail(missingProviderValue('SMTP', empty(smtpHost) ? 'smtpHost' : 'smtpFromEmail', 'smtpHost and smtpFromEmail'))
        : empty(smtpUserName) != empty(smtpPassword)
            ? fail('smtpUserName and smtpPassword are given together or not at all (Notify__Providers__Smtp__UserName / __Password)')
            : {
                host: smtpHost
                fromEmail: smtpFromEmail
                fromName: empty(smtpFromName) ? null : smtpFromName
                port: smtpPort
                security: empty(smtpSecurity) ? null : smtpSecurity
                userName: smtpCredentialsEnabled ? smtpUserName : null
              }
  vonage: !vonageGiven
    ? null
    : !vonageEnabled
        ? fail(missingProviderValue(
            'Vonage',
            empty(vonageApiKey) ? 'vonageApiKey' : empty(vonageApiSecret) ? 'vonageApiSecret' : 'vonageFrom',
            'vonageApiKey, vonageApiSecret and vonageFrom'
          ))
        : {
            apiKey: vonageApiKey
            from: vonageFrom
            statusCallbackUrl: empty(vonageStatusCallbackUrl) ? null : vonageStatusCallbackUrl
          }
  // The app refuses to start when an order names a provider that is not configured; the deployment refuses it first.
  providerOrder: {
    email: empty(providerOrderEmail)
      ? null
      : orderNamesSendGrid && !sendGridEnabled
          ? fail('providerOrderEmail names sendgrid, but SendGrid is not configured (sendGridApiKey and sendGridFromEmail)')
          : orderNamesSmtp && !smtpEnabled
              ? fail('providerOrderEmail names smtp, but SMTP is not configured (smtpHost and smtpFromEmail)')
              : providerOrderEmail
    sms: empty(providerOrderSms)
      ? null
      : orderNamesTwilio && !twilioEnabled
          ? fail('providerOrderSms names twilio, but Twilio is not configured (twilioAccountSid, twilioAuthToken and a sender)')
          : orderNamesVonage && !vonageEnabled
              ? fail('providerOrderSms names vonage, but Vonage is not configured (vonageApiKey, vonageApiSecret and vonageFrom)')
              : providerOrderSms
  }
  alertsWebhook: alertsWebhookEnabled
  consoleEntraClientSecret: consoleEntraClientSecretEnabled
  // The app refuses to start with a base URL and no signing key; the deployment refuses it first.
  tracking: !trackingEnabled
    ? null
    : empty(trackingSigningKey)
        ? fail('trackingSigningKey is required when trackingBaseUrl is set (Notify__Tracking__SigningKey: base64 of at least 32 random bytes)')
        : {
            baseUrl: trackingBaseUrl
            previousSigningKey: trackingPreviousSigningKeyEnabled
            tokenLifetime: empty(trackingTokenLifetime) ? null : trackingTokenLifetime
            openPixel: trackingOpenPixel
            clickLinks: trackingClickLinks
          }
  sendGridWebhook: {
    publicKey: empty(sendGridWebhookPublicKey) ? null : sendGridWebhookPublicKey
    maxAge: empty(sendGridWebhookMaxAge) ? null : sendGridWebhookMaxAge
  }
  twilioWebhook: {
    authToken: twilioWebhookAuthTokenEnabled
    callbackUrl: empty(twilioWebhookCallbackUrl) ? null : twilioWebhookCallbackUrl
    maxAge: empty(twilioWebhookMaxAge) ? null : twilioWebhookMaxAge
  }
}

var consoleSignIn consoleSignInType? = !consoleEntraEnabled
  ? null
  : {
      clientId: consoleEntraClientId
      tenantId: empty(consoleEntraTenantId) ? tenant().tenantId : consoleEntraTenantId
      allowedGroupIds: consoleEntraAllowedGroupIds
    }

// ---------------------------------------------------------------------------------------------------------------
// Resources

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: allTags
  }
}

// The app identity's roles, named guid(scope, principalId, roleId) by each module.
var appPrincipal = {
  principalId: identity.outputs.principalId
  principalType: 'ServicePrincipal'
}
// The operator, whoever deploys: a user, a group or a pipeline's service principal (empty type: Azure looks it up).
var operatorPrincipal = {
  principalId: principalId
  principalType: empty(principalType) ? null : principalType
}
var operatorRoleAssignments = empty(principalId)
  ? []
  : [
      union(operatorPrincipal, {
        roleDefinitionId: roleDefinitionIds.storageTableDataContributor
        description: 'Notify operator: admin CLI (apps, templates).'
      })
      union(operatorPrincipal, {
        roleDefinitionId: roleDefinitionIds.storageQueueDataContributor
        description: 'Notify operator: replay dead letters.'
      })
    ]
var operatorVaultRoleAssignments = empty(principalId) || !operatorKeyVaultSecretsOfficer
  ? []
  : [
      union(operatorPrincipal, {
        roleDefinitionId: roleDefinitionIds.keyVaultSecretsOfficer
        description: 'Notify operator: rotate provider secrets in the vault.'
      })
    ]

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: logAnalyticsName
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: allTags
    retentionInDays: logRetentionInDays
    dailyQuotaGb: logDailyQuotaGb
    roleAssignments: [
      union(appPrincipal, {
        roleDefinitionId: roleDefinitionIds.monitoringMetricsPublisher
        description: 'Notify app: send telemetry with Entra ID (local auth is off).'
      })
    ]
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  // The queue diagnostic setting writes to the workspace the monitoring module creates.
  dependsOn: [
    monitoring
  ]
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: allTags
    skuName: storageSkuName
    deploymentContainerName: deploymentContainerName
    queueNames: concat(channelQueueNames, poisonQueueNames)
    // Known before deployment (not a module output), so What-If can predict the diagnostic setting.
    logAnalyticsWorkspaceId: resourceId('Microsoft.OperationalInsights/workspaces', logAnalyticsName)
    publicNetworkAccessEnabled: !vnetEnabled
    roleAssignments: concat(
      [
        union(appPrincipal, {
          roleDefinitionId: roleDefinitionIds.storageTableDataContributor
          description: 'Notify app: delivery log, users, templates, apps.'
        })
        union(appPrincipal, {
          roleDefinitionId: roleDefinitionIds.storageQueueDataContributor
          description: 'Notify app and Functions runtime: channel and poison queues.'
        })
        union(appPrincipal, {
          roleDefinitionId: roleDefinitionIds.storageBlobDataOwner
          description: 'Functions runtime storage and the Flex Consumption deployment container.'
        })
      ],
      operatorRoleAssignments
    )
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  // The audit diagnostic setting writes to the workspace the monitoring module creates.
  dependsOn: [
    monitoring
  ]
  params: {
    name: keyVaultName
    location: location
    tags: allTags
    enablePurgeProtection: keyVaultEnablePurgeProtection
    publicNetworkAccessEnabled: !vnetEnabled
    logAnalyticsWorkspaceId: resourceId('Microsoft.OperationalInsights/workspaces', logAnalyticsName)
    roleAssignments: concat(
      [
        union(appPrincipal, {
          roleDefinitionId: roleDefinitionIds.keyVaultSecretsUser
          description: 'Notify app: resolve Key Vault references in app settings.'
        })
      ],
      operatorVaultRoleAssignments
    )
  }
}

module network 'modules/network.bicep' = if (vnetEnabled) {
  name: 'network'
  params: {
    name: '${abbrs.networkVirtualNetworks}${resourceToken}'
    location: location
    tags: allTags
    addressPrefix: vnetAddressPrefix
    appSubnetPrefix: vnetAppSubnetPrefix
    privateEndpointSubnetPrefix: vnetPrivateEndpointSubnetPrefix
    natGatewayEnabled: natGatewayEnabled
    natGatewayName: '${abbrs.networkNatGateways}${resourceToken}'
    natPublicIpName: '${abbrs.networkPublicIPAddresses}nat-${resourceToken}'
  }
}

// One private endpoint per data-plane service the app uses: the Functions runtime and Notify (blob for the
// runtime and the deployment package, queue, table) and Key Vault (references in app settings).
var privateEndpointTargets = [
  { groupId: 'blob', service: 'storage' }
  { groupId: 'queue', service: 'storage' }
  { groupId: 'table', service: 'storage' }
  { groupId: 'vault', service: 'keyVault' }
]

module privateEndpoints 'modules/private-endpoint.bicep' = [
  for target in privateEndpointTargets: if (vnetEnabled) {
    name: 'private-endpoint-${target.groupId}'
    params: {
      name: '${abbrs.networkPrivateEndpoints}${target.groupId}-${resourceToken}'
      location: location
      tags: allTags
      subnetId: network.?outputs.privateEndpointSubnetId ?? ''
      privateLinkServiceId: target.service == 'storage' ? storage.outputs.resourceId : keyVault.outputs.resourceId
      groupId: target.groupId
      privateDnsZoneId: network.?outputs.privateDnsZoneIds[target.groupId] ?? ''
    }
  }
]

// One module per secret, each only when its provider is configured. (A loop over a secure object would hide
// the secrets from What-If: it cannot count the loop before deployment.)
module fcmSecret 'modules/key-vault-secret.bicep' = if (fcmEnabled) {
  name: 'secret-fcm'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: keyVaultName
    name: secretNames.fcmServiceAccountJson
    value: fcmServiceAccountJson
    contentType: 'application/json'
    tags: allTags
  }
}

module apnsSecret 'modules/key-vault-secret.bicep' = if (apnsEnabled) {
  name: 'secret-apns'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: keyVaultName
    name: secretNames.apnsPrivateKey
    value: apnsPrivateKey
    contentType: 'application/x-pem-file'
    tags: allTags
  }
}

module sendGridSecret 'modules/key-vault-secret.bicep' = if (sendGridEnabled) {
  name: 'secret-sendgrid'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: keyVaultName
    name: secretNames.sendGridApiKey
    value: sendGridApiKey
    tags: allTags
  }
}

module twilioSecret 'modules/key-vault-secret.bicep' = if (twilioEnabled) {
  name: 'secret-twilio'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: keyVaultName
    name: secretNames.twilioAuthToken
    value: twilioAuthToken
    tags: allTags
  }
}

module alertsWebhookSecret 'modules/key-vault-secret.bicep' = if (alertsWebhookEnabled) {
  name: 'secret-alerts-webhook'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: keyVaultName
    name: secretNames.alertsWebhookUrl
    value: notifyAlertWebhookUrl
    tags: allTags
  }
}

module trackingSigningKeySecret 'modules/key-vault-secret.bicep' = if (trackingEnabled) {
  name: 'secret-tracking-signing-key'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: keyVaultName
    name: secretNames.trackingSigningKey
    value: trackingSigningKey
    tags: allTags
  }
}

module trackingPreviousSigningKeySecret 'modules/key-vault-secret.bicep' = if (trackingPreviousSigningKeyEnabled) {
  name: 'secret-tracking-previous-signing-key'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: keyVaultName
    name: secretNames.trackingPreviousSigningKey
    value: trackingPreviousSigningKey
    tags: allTags
  }
}

module twilioWebhookAuthTokenSecret 'modules/key-vault-secret.bicep' = if (twilioWebhookAuthTokenEnabled) {
  name: 'secret-twilio-webhook-auth-token'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: keyVaultName
    name: secretNames.twilioWebhookAuthToken
    value: twilioWebhookAuthToken
    tags: allTags
  }
}

module smtpPasswordSecret 'modules/key-vault-secret.bicep' = if (smtpCredentialsEnabled) {
  name: 'secret-smtp-password'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: keyVaultName
    name: secretNames.smtpPassword
    value: smtpPassword
    tags: allTags
  }
}

module vonageSecret 'modules/key-vault-secret.bicep' = if (vonageEnabled) {
  name: 'secret-vonage'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: keyVaultName
    name: secretNames.vonageApiSecret
    value: vonageApiSecret
    tags: allTags
  }
}

// Always given unless the operator passes '' on purpose: then the vault keeps the secret it has.
module consoleSigningKeySecret 'modules/key-vault-secret.bicep' = if (consoleSigningKeyGiven) {
  name: 'secret-console-signing-key'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: keyVaultName
    name: secretNames.consoleSigningKey
    value: consoleSigningKey
    tags: allTags
  }
}

module consoleContactLookupKeySecret 'modules/key-vault-secret.bicep' = if (consoleContactLookupKeyEnabled) {
  name: 'secret-console-contact-lookup-key'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: keyVaultName
    name: secretNames.consoleContactLookupKey
    value: consoleContactLookupKey
    tags: allTags
  }
}

module consoleEntraClientSecretSecret 'modules/key-vault-secret.bicep' = if (consoleEntraClientSecretEnabled) {
  name: 'secret-console-entra-client-secret'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: keyVaultName
    name: secretNames.consoleEntraClientSecret
    value: consoleEntraClientSecret
    tags: allTags
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  // Key Vault references resolve when the app starts: the secrets should exist by then, and with the private
  // network, so should the private endpoints the app reaches storage and the vault through.
  dependsOn: [
    privateEndpoints
    fcmSecret
    apnsSecret
    sendGridSecret
    twilioSecret
    alertsWebhookSecret
    trackingSigningKeySecret
    trackingPreviousSigningKeySecret
    twilioWebhookAuthTokenSecret
    smtpPasswordSecret
    vonageSecret
    consoleSigningKeySecret
    consoleContactLookupKeySecret
    consoleEntraClientSecretSecret
  ]
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: allTags
    serviceName: 'api'
    identityResourceId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    // Taking the URI from the vault module also orders the app after its secrets and role assignment exist.
    keyVaultUri: keyVault.outputs.uri
    notify: notifySettings
    consoleSignIn: consoleSignIn
    instanceMemoryMB: functionAppInstanceMemoryMB
    maximumInstanceCount: functionAppMaximumInstanceCount
    allowBasicPublishingCredentials: allowBasicPublishingCredentials
    virtualNetworkSubnetId: network.?outputs.appSubnetId ?? ''
    // Known before deployment (not a module output), so What-If can predict the diagnostic setting.
    logAnalyticsWorkspaceId: resourceId('Microsoft.OperationalInsights/workspaces', logAnalyticsName)
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    namePrefix: '${abbrs.alertRules}${resourceToken}-'
    actionGroupName: '${abbrs.actionGroups}${resourceToken}'
    actionGroupShortName: 'notify'
    location: location
    tags: allTags
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    emailAddresses: alertEmailAddresses
    webhookServiceUri: alertWebhookServiceUri
    poisonQueueNames: poisonQueueNames
    queueAgeThresholdMinutes: queueAgeAlertThresholdMinutes
    failureRateThresholdPercent: failureRateAlertThresholdPercent
    failureRateMinimumDeliveries: failureRateAlertMinimumDeliveries
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Outputs (azd stores them in the environment). No secrets, no connection strings.

@description('The location of the resources.')
output AZURE_LOCATION string = location

@description('The tenant of the deployment.')
output AZURE_TENANT_ID string = tenant().tenantId

@description('The function app name (for az functionapp deployment).')
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

@description('The function app base URL.')
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'

@description('The storage account name.')
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name

@description('The table endpoint: Storage__tableServiceUri for the admin CLI.')
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint

@description('The queue endpoint: Storage__queueServiceUri for the admin CLI.')
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint

@description('The Key Vault name (provider secrets).')
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name

@description('The client id of the app identity.')
output AZURE_FUNCTION_APP_IDENTITY_CLIENT_ID string = identity.outputs.clientId

@description('The Application Insights component name.')
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName

@description('The app setting names the function app gets (names only).')
output appSettingNames string[] = functionApp.outputs.appSettingNames
