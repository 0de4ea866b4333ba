// Types and constants shared by main.bicep and the modules (compile-time imports: nothing here is deployed).

@export()
@description('Built-in Azure role definition ids (GUIDs) granted by this template.')
var roleDefinitionIds = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

@export()
@description('Key Vault secret names for the provider, alert, tracking, webhook and console secrets; the function app refers to them by these names.')
var secretNames = {
  fcmServiceAccountJson: 'fcm-service-account-json'
  apnsPrivateKey: 'apns-private-key'
  sendGridApiKey: 'sendgrid-api-key'
  twilioAuthToken: 'twilio-auth-token'
  alertsWebhookUrl: 'alerts-webhook-url'
  trackingSigningKey: 'tracking-signing-key'
  trackingPreviousSigningKey: 'tracking-previous-signing-key'
  preferenceLinksSigningKey: 'preference-links-signing-key'
  preferenceLinksPreviousSigningKey: 'preference-links-previous-signing-key'
  twilioWebhookAuthToken: 'twilio-webhook-auth-token'
  smtpPassword: 'smtp-password'
  vonageApiSecret: 'vonage-api-secret'
  consoleSigningKey: 'console-signing-key'
  consoleEntraClientSecret: 'console-entra-client-secret'
  consoleContactLookupKey: 'console-contact-lookup-key'
}

@export()
@description('A role assignment on the resource a module deploys (AVM roleAssignments shape, GUID role ids only).')
type roleAssignmentType = {
  @description('Required. The built-in role definition GUID, e.g. roleDefinitionIds.storageTableDataContributor.')
  roleDefinitionId: string

  @description('Required. The object (principal) id that receives the role.')
  principalId: string

  @description('Optional. The principal type; set it so the assignment does not wait for directory replication of a new identity.')
  principalType: ('ServicePrincipal' | 'User' | 'Group')?

  @description('Optional. Why the assignment exists.')
  description: string?
}

@export()
@description('Notify settings the function app receives; a provider is configured only when its object is present.')
type notifySettingsType = {
  @description('Optional. Notify__RateLimits__Default__Push: per-user push notifications per hour.')
  rateLimitDefaultPush: int?

  @description('Optional. Notify__RateLimits__Default__Email: per-user e-mails per hour.')
  rateLimitDefaultEmail: int?

  @description('Optional. Notify__RateLimits__Default__Sms: per-user SMS per hour.')
  rateLimitDefaultSms: int?

  @description('Optional. Notify__Delivery__MaxAttempts: provider calls per delivery before it fails.')
  deliveryMaxAttempts: int?

  @description('Optional. Notify__Delivery__DeliveriesPerMessage: deliveries of one request and channel per queue message.')
  deliveryDeliveriesPerMessage: int?

  @description('Optional. Notify__Delivery__ParallelismPerMessage: deliveries of one queue message sent at once.')
  deliveryParallelismPerMessage: int?

  @description('Optional. Notify__RateLimits__Apps__{appKey}__*: per-app overrides of the per-user hourly limits, by app key.')
  rateLimitApps: object?

  @description('Optional. Notify__Security__Quota__RequestsPerSecond: each app\'s requests per second.')
  quotaRequestsPerSecond: int?

  @description('Optional. Notify__Security__Quota__Burst: each app\'s burst.')
  quotaBurst: int?

  @description('Optional. Notify__Security__Quota__Apps__{appKey}__*: per-app overrides of the request quota, by app key.')
  quotaApps: object?

  @description('Optional. Notify__Delivery__RetryBaseDelay: the first retry delay (.NET TimeSpan).')
  deliveryRetryBaseDelay: string?

  @description('Optional. Notify__Delivery__RetryMaxDelay: the longest retry delay (.NET TimeSpan).')
  deliveryRetryMaxDelay: string?

  @description('Optional. Notify__Security__TrustedProxies: addresses or CIDR networks whose forwarding header is believed, at most 4.')
  @maxLength(4)
  trustedProxies: string[]?

  @description('Optional. Notify__Console__SessionMinutes: console session length in minutes.')
  consoleSessionMinutes: int?

  @description('Optional. Whether the Key Vault secret secretNames.consoleContactLookupKey exists (Notify__Console__ContactLookupKey).')
  consoleContactLookupKey: bool?

  @description('Optional. FCM (push); its service account JSON is the Key Vault secret secretNames.fcmServiceAccountJson.')
  fcm: {
    @description('Required. The Firebase project id.')
    projectId: string
  }?

  @description('Optional. APNs (push); its .p8 key is the Key Vault secret secretNames.apnsPrivateKey.')
  apns: {
    @description('Required. The key id of the .p8 signing key.')
    keyId: string

    @description('Required. The Apple developer team id.')
    teamId: string

    @description('Required. The app bundle id (apns-topic).')
    topic: string

    @description('Required. Which APNs endpoint to use.')
    environment: ('sandbox' | 'production')
  }?

  @description('Optional. SendGrid (e-mail); its API key is the Key Vault secret secretNames.sendGridApiKey.')
  sendGrid: {
    @description('Required. The verified sender address.')
    fromEmail: string

    @description('Optional. The sender display name.')
    fromName: string?
  }?

  @description('Optional. Twilio (SMS); its auth token is the Key Vault secret secretNames.twilioAuthToken.')
  twilio: {
    @description('Required. The account SID.')
    accountSid: string

    @description('Optional. The sender number (E.164); set this or messagingServiceSid.')
    fromNumber: string?

    @description('Optional. The messaging service SID; set this or fromNumber.')
    messagingServiceSid: string?

    @description('Optional. Where Twilio posts delivery status changes.')
    statusCallbackUrl: string?
  }?

  @description('Optional. SMTP (e-mail); its password is the Key Vault secret secretNames.smtpPassword when userName is set.')
  smtp: {
    @description('Required. The relay\'s host name.')
    host: string

    @description('Required. The sender address.')
    fromEmail: string

    @description('Optional. The sender display name.')
    fromName: string?

    @description('Optional. The relay\'s port.')
    port: int?

    @description('Optional. StartTls, Tls or None.')
    security: string?

    @description('Optional. The user name the relay authenticates; the password is then in Key Vault.')
    userName: string?
  }?

  @description('Optional. Vonage (SMS); its API secret is the Key Vault secret secretNames.vonageApiSecret.')
  vonage: {
    @description('Required. The API key.')
    apiKey: string

    @description('Required. The sender number or alphanumeric sender id.')
    from: string

    @description('Optional. Where Vonage posts delivery receipts.')
    statusCallbackUrl: string?
  }?

  @description('Optional. Each channel\'s providers in priority order (Notify__Providers__Order__*), comma-separated.')
  providerOrder: {
    @description('Optional. E-mail: sendgrid, smtp.')
    email: string?

    @description('Optional. SMS: twilio, vonage.')
    sms: string?
  }?

  @description('Optional. Whether the Key Vault secret secretNames.alertsWebhookUrl exists (Notify__Alerts__WebhookUrl).')
  alertsWebhook: bool?

  @description('Optional. Whether the Key Vault secret secretNames.consoleEntraClientSecret exists (the console\'s Entra ID sign-in client secret).')
  consoleEntraClientSecret: bool?

  @description('Optional. Notify\'s own OpenID Connect sign-in for people (Notify__Console__Oidc__*); its client secret is the Key Vault secret secretNames.consoleEntraClientSecret when consoleEntraClientSecret is true.')
  consoleOidc: {
    @description('Required. Notify__Console__Oidc__Authority: the issuer, https://login.microsoftonline.com/{tenant}/v2.0.')
    authority: string
    @description('Required. Notify__Console__Oidc__ClientId: the app registration\'s client id.')
    clientId: string
    @description('Optional. Notify__Console__Oidc__RolesClaim: roles (app roles, the default) or groups.')
    rolesClaim: string?
    @description('Optional. Notify__Console__Oidc__OwnerApp: the app that owns what unlimited people create.')
    ownerApp: string?
    @description('Optional. Notify__Console__Oidc__AppKeySignIn: app key + secret sign-in to the console as well (off by default with OpenID Connect).')
    appKeySignIn: bool?
  }?

  @description('Optional. E-mail open and click tracking (Notify__Tracking__*); its signing key is the Key Vault secret secretNames.trackingSigningKey.')
  tracking: {
    @description('Required. The public API root the tracking links point at.')
    baseUrl: string

    @description('Optional. Whether the Key Vault secret secretNames.trackingPreviousSigningKey exists.')
    previousSigningKey: bool?

    @description('Optional. How long a pixel or link works (.NET TimeSpan).')
    tokenLifetime: string?

    @description('Optional. Add the open pixel to HTML e-mail.')
    openPixel: bool?

    @description('Optional. Rewrite the links of HTML e-mail to the click redirect.')
    clickLinks: bool?
  }?

  @description('Optional. Preference and unsubscribe links (Notify__PreferenceLinks__*); its signing key is the Key Vault secret secretNames.preferenceLinksSigningKey.')
  preferenceLinks: {
    @description('Required. The public API root the links point at.')
    baseUrl: string

    @description('Optional. Whether the Key Vault secret secretNames.preferenceLinksPreviousSigningKey exists.')
    previousSigningKey: bool?

    @description('Optional. How long a link works (.NET TimeSpan, 30 days to 2 years).')
    tokenLifetime: string?
  }?

  @description('Optional. The SendGrid Event Webhook (Notify__Webhooks__SendGrid__*).')
  sendGridWebhook: {
    @description('Optional. The verification key (a public key, not a secret).')
    publicKey: string?

    @description('Optional. Signature timestamp tolerance (.NET TimeSpan).')
    maxAge: string?
  }?

  @description('Optional. Twilio status callbacks (Notify__Webhooks__Twilio__*).')
  twilioWebhook: {
    @description('Optional. Whether the Key Vault secret secretNames.twilioWebhookAuthToken exists; otherwise the provider\'s auth token signs.')
    authToken: bool?

    @description('Optional. The public URL Twilio signs.')
    callbackUrl: string?

    @description('Optional. Callbacks for older sends are stale (.NET TimeSpan).')
    maxAge: string?
  }?
}

@export()
@description('Entra ID sign-in (App Service Authentication) in front of the operator console.')
type consoleSignInType = {
  @description('Required. The client id of the app registration.')
  clientId: string

  @description('Required. The tenant of the app registration.')
  tenantId: string

  @description('Optional. Object ids of the groups whose members may sign in; empty for every account the registration admits.')
  allowedGroupIds: string[]?
}
