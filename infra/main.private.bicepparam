// Private network example: the production shape with vnetEnabled, for an infra team that allows no public
// data-plane endpoint.
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.private.bicepparam
// Storage and Key Vault accept requests only through private endpoints in the virtual network; the app reaches
// them (and the providers) through VNet integration, and leaves from the NAT gateway's one public IP. The API
// itself stays public (the console and the services that POST reach it as before). The admin CLI and secret
// rotation need a path into the network: docs/deploy.md, "Private network".
// NOTIFY_OPERATORS_GROUP_ID and NOTIFY_ALERT_EMAIL have no default: the deployment stops, naming them, when unset.
// It reads every variable main.prod.bicepparam reads (a test keeps the two lists equal), so a GitHub environment
// built with this file is deployed with everything it was given (.github/workflows/deploy.yml).
using 'main.bicep'

// A pipeline passes an unset variable as an empty one: empty means the default here too.
param environmentName = empty(readEnvironmentVariable('AZURE_ENV_NAME', ''))
  ? 'notify-private'
  : readEnvironmentVariable('AZURE_ENV_NAME', '')
param principalId = readEnvironmentVariable('NOTIFY_OPERATORS_GROUP_ID')
param principalType = 'Group'
param operatorKeyVaultSecretsOfficer = true

param tags = {
  environment: 'production'
  service: 'notify'
  network: 'private'
}

param vnetEnabled = true
param natGatewayEnabled = true
param vnetAddressPrefix = '10.42.0.0/16'
param vnetAppSubnetPrefix = '10.42.0.0/22'
param vnetPrivateEndpointSubnetPrefix = '10.42.4.0/24'

param storageSkuName = 'Standard_ZRS'
param functionAppInstanceMemoryMB = 2048
param functionAppMaximumInstanceCount = 100
param logRetentionInDays = 90
param keyVaultEnablePurgeProtection = true

param alertEmailAddresses = [
  readEnvironmentVariable('NOTIFY_ALERT_EMAIL')
]
param alertWebhookServiceUri = readEnvironmentVariable('NOTIFY_ALERT_ACTION_WEBHOOK', '')
param queueAgeAlertThresholdMinutes = 60
param failureRateAlertThresholdPercent = 10
param failureRateAlertMinimumDeliveries = 50

param deliveryMaxAttempts = 8

// Providers and settings as in main.prod.bicepparam; SendGrid is optional here (but never half-configured).
// Push
param fcmProjectId = readEnvironmentVariable('NOTIFY_FCM_PROJECT_ID', '')
param fcmServiceAccountJson = readEnvironmentVariable('NOTIFY_FCM_SERVICE_ACCOUNT_JSON', '')
param apnsKeyId = readEnvironmentVariable('NOTIFY_APNS_KEY_ID', '')
param apnsTeamId = readEnvironmentVariable('NOTIFY_APNS_TEAM_ID', '')
param apnsPrivateKey = readEnvironmentVariable('NOTIFY_APNS_PRIVATE_KEY', '')
param apnsTopic = readEnvironmentVariable('NOTIFY_APNS_TOPIC', '')
param apnsEnvironment = 'production'

// E-mail
param sendGridApiKey = readEnvironmentVariable('NOTIFY_SENDGRID_API_KEY', '')
// The sender address verified in SendGrid, and the name recipients see.
param sendGridFromEmail = readEnvironmentVariable('NOTIFY_SENDGRID_FROM_EMAIL', '')
param sendGridFromName = readEnvironmentVariable('NOTIFY_SENDGRID_FROM_NAME', '')

// SMS
param twilioAccountSid = readEnvironmentVariable('NOTIFY_TWILIO_ACCOUNT_SID', '')
param twilioAuthToken = readEnvironmentVariable('NOTIFY_TWILIO_AUTH_TOKEN', '')
// One sender: a number or a messaging service SID (both fail the deployment).
param twilioFromNumber = readEnvironmentVariable('NOTIFY_TWILIO_FROM_NUMBER', '')
param twilioMessagingServiceSid = readEnvironmentVariable('NOTIFY_TWILIO_MESSAGING_SERVICE_SID', '')
// Where Twilio posts delivery statuses: https://<app host>/api/v1/webhooks/twilio (needed for SMS delivery tracking).
param twilioStatusCallbackUrl = readEnvironmentVariable('NOTIFY_TWILIO_STATUS_CALLBACK_URL', '')

// Second providers, each off unless its values are set; failover goes down each channel's order (empty: the
// configured ones, SendGrid before SMTP and Twilio before Vonage). SMTP works with any relay (SES, Mailgun,
// Postmark, Microsoft 365) on port 587 with STARTTLS unless smtpPort/smtpSecurity say otherwise.
param smtpHost = readEnvironmentVariable('NOTIFY_SMTP_HOST', '')
param smtpUserName = readEnvironmentVariable('NOTIFY_SMTP_USER_NAME', '')
param smtpPassword = readEnvironmentVariable('NOTIFY_SMTP_PASSWORD', '')
param smtpFromEmail = readEnvironmentVariable('NOTIFY_SMTP_FROM_EMAIL', '')
param vonageApiKey = readEnvironmentVariable('NOTIFY_VONAGE_API_KEY', '')
param vonageApiSecret = readEnvironmentVariable('NOTIFY_VONAGE_API_SECRET', '')
param vonageFrom = readEnvironmentVariable('NOTIFY_VONAGE_FROM', '')
param vonageStatusCallbackUrl = readEnvironmentVariable('NOTIFY_VONAGE_STATUS_CALLBACK_URL', '')
param providerOrderEmail = readEnvironmentVariable('NOTIFY_PROVIDER_ORDER_EMAIL', '')
param providerOrderSms = readEnvironmentVariable('NOTIFY_PROVIDER_ORDER_SMS', '')

// Entra ID sign-in in front of /console (App Service Authentication): on when NOTIFY_CONSOLE_ENTRA_CLIENT_ID is
// set (docs/deploy.md, "Console: session key and Entra ID sign-in"). The console's session key is generated at
// each provisioning.
param consoleEntraClientId = readEnvironmentVariable('NOTIFY_CONSOLE_ENTRA_CLIENT_ID', '')
param consoleEntraClientSecret = readEnvironmentVariable('NOTIFY_CONSOLE_ENTRA_CLIENT_SECRET', '')
// Only members of this group (object id) pass the sign-in; unset, every account the registration admits.
param consoleEntraAllowedGroupIds = empty(readEnvironmentVariable('NOTIFY_CONSOLE_ENTRA_GROUP_ID', ''))
  ? []
  : [
      readEnvironmentVariable('NOTIFY_CONSOLE_ENTRA_GROUP_ID', '')
    ]

// The app's own alert webhook (Notify__Alerts__WebhookUrl).
param notifyAlertWebhookUrl = readEnvironmentVariable('NOTIFY_ALERT_WEBHOOK_URL', '')

// E-mail open and click tracking: on when NOTIFY_TRACKING_BASE_URL is set (the public API root, e.g.
// https://notify.example.com/api); then NOTIFY_TRACKING_SIGNING_KEY (base64 of 32+ random bytes, e.g.
// `openssl rand -base64 32`) is required, or the deployment fails. Both keys go to Key Vault.
param trackingBaseUrl = readEnvironmentVariable('NOTIFY_TRACKING_BASE_URL', '')
param trackingSigningKey = readEnvironmentVariable('NOTIFY_TRACKING_SIGNING_KEY', '')
param trackingPreviousSigningKey = readEnvironmentVariable('NOTIFY_TRACKING_PREVIOUS_SIGNING_KEY', '')

// Preference and unsubscribe links (docs/preferences.md): on when NOTIFY_PREFERENCE_LINKS_BASE_URL is set (the public
// API root); then NOTIFY_PREFERENCE_LINKS_SIGNING_KEY (base64 of 32+ random bytes) is required, or the deployment
// fails. Both keys go to Key Vault.
param preferenceLinksBaseUrl = readEnvironmentVariable('NOTIFY_PREFERENCE_LINKS_BASE_URL', '')
param preferenceLinksSigningKey = readEnvironmentVariable('NOTIFY_PREFERENCE_LINKS_SIGNING_KEY', '')
param preferenceLinksPreviousSigningKey = readEnvironmentVariable('NOTIFY_PREFERENCE_LINKS_PREVIOUS_SIGNING_KEY', '')

// Provider webhooks. SendGrid's Event Webhook verification key is public. Twilio callbacks are signed with the
// provider's auth token and checked against twilioStatusCallbackUrl unless twilioWebhook* say otherwise.
param sendGridWebhookPublicKey = readEnvironmentVariable('NOTIFY_SENDGRID_WEBHOOK_PUBLIC_KEY', '')
param twilioWebhookAuthToken = readEnvironmentVariable('NOTIFY_TWILIO_WEBHOOK_AUTH_TOKEN', '')

// Console: session length (minutes, 1-1440; empty: the app's 30) and the contact lookup key (base64 of 32+ random
// bytes, kept across deployments; empty: the lookup is off). The key goes to Key Vault.
param consoleSessionMinutes = empty(readEnvironmentVariable('NOTIFY_CONSOLE_SESSION_MINUTES', ''))
  ? null
  : int(readEnvironmentVariable('NOTIFY_CONSOLE_SESSION_MINUTES', ''))
param consoleContactLookupKey = readEnvironmentVariable('NOTIFY_CONSOLE_CONTACT_LOOKUP_KEY', '')

// Retry bounds (.NET TimeSpan; empty: the app's 00:00:05 and 00:30:00). queueAgeAlertThresholdMinutes above must
// stay over the maximum: retries wait in the queue on purpose.
param deliveryRetryBaseDelay = readEnvironmentVariable('NOTIFY_DELIVERY_RETRY_BASE_DELAY', '')
param deliveryRetryMaxDelay = readEnvironmentVariable('NOTIFY_DELIVERY_RETRY_MAX_DELAY', '')

// Per-app hourly limits by app key, as JSON, e.g. {"shop":{"sms":2}} (empty: none).
param rateLimitApps = json(empty(readEnvironmentVariable('NOTIFY_RATE_LIMIT_APPS', ''))
  ? '{}'
  : readEnvironmentVariable('NOTIFY_RATE_LIMIT_APPS', ''))

// Each app's API request quota (per app and instance; empty: the app's 100 per second, burst 200) and per-app
// overrides by app key, as JSON, e.g. {"shop":{"requestsPerSecond":20,"burst":40}}.
param quotaRequestsPerSecond = empty(readEnvironmentVariable('NOTIFY_QUOTA_REQUESTS_PER_SECOND', ''))
  ? null
  : int(readEnvironmentVariable('NOTIFY_QUOTA_REQUESTS_PER_SECOND', ''))
param quotaBurst = empty(readEnvironmentVariable('NOTIFY_QUOTA_BURST', ''))
  ? null
  : int(readEnvironmentVariable('NOTIFY_QUOTA_BURST', ''))
param quotaApps = json(empty(readEnvironmentVariable('NOTIFY_QUOTA_APPS', ''))
  ? '{}'
  : readEnvironmentVariable('NOTIFY_QUOTA_APPS', ''))

// The proxies whose X-Forwarded-For is believed, comma-separated: the Functions host's loopback by default
// (docs/deploy.md, "Caller addresses"). A pipeline passes an unset variable as an empty one: empty is the default.
param trustedProxies = split(
  empty(readEnvironmentVariable('NOTIFY_TRUSTED_PROXIES', '')) ? '127.0.0.1,::1' : readEnvironmentVariable('NOTIFY_TRUSTED_PROXIES', ''),
  ','
)
