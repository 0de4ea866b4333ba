// Production example:
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.prod.bicepparam
// Secrets are read from environment variables at deployment time (never written in this file); an unset
// provider stays off. Export them from your secret store in the deploying shell or pipeline, e.g.
//   export NOTIFY_SENDGRID_API_KEY="$(az keyvault secret show --vault-name <ops-vault> -n sendgrid-api-key --query value -o tsv)"
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'notify-prod')
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param principalType = 'Group'

param tags = {
  environment: 'production'
  service: 'notify'
}

param storageSkuName = 'Standard_ZRS'
param functionAppInstanceMemoryMB = 2048
param functionAppMaximumInstanceCount = 100
param logRetentionInDays = 90
param keyVaultEnablePurgeProtection = true

param alertEmailAddresses = [
  'notify-oncall@example.com'
]
param alertWebhookServiceUri = readEnvironmentVariable('NOTIFY_ALERT_ACTION_WEBHOOK', '')
param queueAgeAlertThresholdMinutes = 60
param failureRateAlertThresholdPercent = 10
param failureRateAlertMinimumDeliveries = 50

param deliveryMaxAttempts = 8

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
param sendGridFromEmail = 'notifications@example.com'
param sendGridFromName = 'Example Notifications'

// SMS
param twilioAccountSid = readEnvironmentVariable('NOTIFY_TWILIO_ACCOUNT_SID', '')
param twilioAuthToken = readEnvironmentVariable('NOTIFY_TWILIO_AUTH_TOKEN', '')
param twilioMessagingServiceSid = readEnvironmentVariable('NOTIFY_TWILIO_MESSAGING_SERVICE_SID', '')

// The app's own alert webhook (Notify__Alerts__WebhookUrl).
param notifyAlertWebhookUrl = readEnvironmentVariable('NOTIFY_ALERT_WEBHOOK_URL', '')
