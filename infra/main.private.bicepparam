// Private network example: the production shape with vnetEnabled, for an infra team that allows no public
// data-plane endpoint.
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.private.bicepparam
// Storage and Key Vault accept requests only through private endpoints in the virtual network; the app reaches
// them (and the providers) through VNet integration, and leaves from the NAT gateway's one public IP. The API
// itself stays public (the console and the services that POST reach it as before). The admin CLI and secret
// rotation need a path into the network: docs/deploy.md, "Private network".
// NOTIFY_OPERATORS_GROUP_ID and NOTIFY_ALERT_EMAIL have no default: the deployment stops, naming them, when unset.
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'notify-private')
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
param functionAppMaximumInstanceCount = 100
param logRetentionInDays = 90
param keyVaultEnablePurgeProtection = true

param alertEmailAddresses = [
  readEnvironmentVariable('NOTIFY_ALERT_EMAIL')
]
param alertWebhookServiceUri = readEnvironmentVariable('NOTIFY_ALERT_ACTION_WEBHOOK', '')

// Providers as in main.prod.bicepparam; each stays off until its variables are set.
param sendGridApiKey = readEnvironmentVariable('NOTIFY_SENDGRID_API_KEY', '')
param sendGridFromEmail = readEnvironmentVariable('NOTIFY_SENDGRID_FROM_EMAIL', '')
param twilioAccountSid = readEnvironmentVariable('NOTIFY_TWILIO_ACCOUNT_SID', '')
param twilioAuthToken = readEnvironmentVariable('NOTIFY_TWILIO_AUTH_TOKEN', '')
param twilioMessagingServiceSid = readEnvironmentVariable('NOTIFY_TWILIO_MESSAGING_SERVICE_SID', '')
param fcmProjectId = readEnvironmentVariable('NOTIFY_FCM_PROJECT_ID', '')
param fcmServiceAccountJson = readEnvironmentVariable('NOTIFY_FCM_SERVICE_ACCOUNT_JSON', '')
