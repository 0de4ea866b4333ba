// Development example. With azd the environment variables come from `azd env`; with the Azure CLI:
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.bicepparam
// No provider is configured here: every channel delivers to the Outbox (a table you can read), so a dev
// environment sends nothing to real people. Add a provider's parameters to send for real.
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'notify-dev')

// azd sets AZURE_PRINCIPAL_ID to whoever deploys: table and queue data access for the admin CLI. That is a user
// at a desk and a service principal in a pipeline: AZURE_PRINCIPAL_TYPE says which (User, Group,
// ServicePrincipal); left empty, Azure looks the type up.
param principalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param principalType = readEnvironmentVariable('AZURE_PRINCIPAL_TYPE', '')

param storageSkuName = 'Standard_LRS'
param functionAppInstanceMemoryMB = 2048
param functionAppMaximumInstanceCount = 40
param logRetentionInDays = 30
// A dev environment should never run up a log bill: past 1 GB a day, logs (and log alerts) stop until midnight UTC.
param logDailyQuotaGb = 1
param keyVaultEnablePurgeProtection = false

param alertEmailAddresses = empty(readEnvironmentVariable('NOTIFY_ALERT_EMAIL', ''))
  ? []
  : [
      readEnvironmentVariable('NOTIFY_ALERT_EMAIL', '')
    ]

// Per-user hourly limits, spelled out to show where they are set (these equal the app's defaults).
param rateLimitDefaultPush = 20
param rateLimitDefaultEmail = 10
param rateLimitDefaultSms = 5
