metadata name = 'Notify alert rules'
metadata description = 'An action group and the log search alert rules for dead letters, queue age, alert events and per-channel failure rate.'

@description('Required. Prefix of the alert rule names; each rule appends what it watches.')
param namePrefix string

@description('Required. Name of the action group.')
param actionGroupName string

@description('Required. Short name of the action group (at most 12 characters; shown in SMS and e-mail).')
@maxLength(12)
param actionGroupShortName string

@description('Required. Location of the alert rules (the action group is global).')
param location string

@description('Optional. Tags of every resource.')
param tags object = {}

@description('Required. Resource id of the Log Analytics workspace the rules query (AppMetrics from the app\'s OpenTelemetry metrics, StorageQueueLogs from the storage diagnostic setting).')
param logAnalyticsWorkspaceId string

@description('Optional. E-mail addresses notified by the action group.')
param emailAddresses string[] = []

@description('Optional. A webhook the action group posts to (common alert schema). May carry a token, hence secure.')
@secure()
param webhookServiceUri string = ''

@description('Required. The poison (dead-letter) queue names, e.g. notify-push-poison.')
param poisonQueueNames string[]

@description('Optional. Alert when the oldest visible message of a channel queue is older than this many minutes. Retries wait in the queue on purpose (visibility delay up to Notify__Delivery__RetryMaxDelay, 30 minutes by default), so keep this above that.')
@minValue(1)
param queueAgeThresholdMinutes int = 60

@description('Optional. Alert when a channel\'s failed deliveries exceed this percentage of its finished deliveries in an hour.')
@minValue(1)
@maxValue(100)
param failureRateThresholdPercent int = 10

@description('Optional. Finished deliveries a channel needs in the hour before its failure rate is judged (avoids alerting on 1 of 2).')
@minValue(1)
param failureRateMinimumDeliveries int = 20

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: actionGroupShortName
    enabled: true
    emailReceivers: [
      for (address, i) in emailAddresses: {
        name: 'email-${i}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
    webhookReceivers: empty(webhookServiceUri)
      ? []
      : [
          {
            name: 'webhook'
            serviceUri: webhookServiceUri
            useCommonAlertSchema: true
          }
        ]
  }
}

// Every rule reads data that nothing samples. host.json samples the host's traces (AppTraces), so a rule counting
// log lines could miss the very event it counts. The app's own figures come from the Notify meter instead
// (src/Notify.Core/Monitoring/NotifyMetrics.cs), exported by OpenTelemetry to the AppMetrics table pre-aggregated
// (one row per instrument, tag set and minute; Sum and ItemCount), and the dead-letter rule reads the storage
// diagnostic log. tests/Notify.Infra.Tests checks each metric name and tag against the code.
// A gauge row carries the last value as Sum over ItemCount (1); dividing keeps the value if that ever changes.
var rules = [
  {
    key: 'dead-letters'
    displayName: 'Notify: messages dead-lettered'
    description: 'A message was moved to a poison queue (notify-*-poison) after maxDequeueCount failed attempts. Storage Queue metrics are per account, not per queue, so this is a log search over the queue service write log (StorageQueueLogs, a diagnostic log: never sampled): each PutMessage on a poison queue is one dead letter. Counting arrivals, not queue length, also catches messages the dead-letter function has already drained.'
    severity: 1
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    query: 'let poisonQueues = dynamic(${string(poisonQueueNames)});\nStorageQueueLogs\n| where OperationName == "PutMessage" and toint(StatusCode) between (200 .. 299)\n| extend QueueName = tostring(split(tostring(parse_url(Uri).Path), "/")[1])\n| where QueueName in (poisonQueues)\n| summarize DeadLetters = count() by QueueName'
    measure: 'DeadLetters'
    aggregation: 'Total'
    dimension: 'QueueName'
    threshold: 0
  }
  {
    key: 'queue-age'
    displayName: 'Notify: queue messages waiting too long'
    description: 'The oldest visible message of a channel queue is more than ${queueAgeThresholdMinutes} minutes old (metric notify.queue.oldest_age, which the queue monitor timer samples every minute). A retry re-enqueued with a visibility delay counts from its re-enqueue, so keep the threshold above Notify__Delivery__RetryMaxDelay. A stopped app samples nothing, so this rule cannot see a backlog nobody is reading; the dead-letter rule still can.'
    severity: 2
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    query: 'AppMetrics\n| where Name == "notify.queue.oldest_age" and tostring(Properties["kind"]) == "work"\n| extend QueueName = tostring(Properties["queue"]), AgeSeconds = Sum / iff(ItemCount > 0, ItemCount, 1)\n| summarize OldestMessageAgeMinutes = round(max(AgeSeconds) / 60.0, 1) by QueueName'
    measure: 'OldestMessageAgeMinutes'
    aggregation: 'Maximum'
    dimension: 'QueueName'
    threshold: queueAgeThresholdMinutes
  }
  {
    key: 'notify-alerts'
    displayName: 'Notify: alert raised by the app'
    description: 'The app raised an alert (metric notify.alerts, counted with every NotifyAlert log, event id 9000): a delivery failed for good, a dead letter was handled, a message could not be decoded, a provider is misconfigured or a queue has a backlog. AlertKind says which.'
    severity: 1
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    query: 'AppMetrics\n| where Name == "notify.alerts"\n| extend AlertKind = tostring(Properties["kind"])\n| summarize Alerts = sum(Sum) by AlertKind'
    measure: 'Alerts'
    aggregation: 'Total'
    dimension: 'AlertKind'
    threshold: 0
  }
  {
    key: 'failure-rate'
    displayName: 'Notify: delivery failure rate per channel'
    description: 'More than ${failureRateThresholdPercent}% of a channel\'s finished deliveries failed (metrics notify.deliveries.failed vs notify.deliveries.sent) in the last hour, counted only with at least ${failureRateMinimumDeliveries} finished deliveries.'
    severity: 2
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    query: 'let minimumDeliveries = ${failureRateMinimumDeliveries};\nAppMetrics\n| where Name in ("notify.deliveries.sent", "notify.deliveries.failed")\n| extend Channel = tostring(Properties["channel"])\n| summarize Sent = sumif(Sum, Name == "notify.deliveries.sent"), Failed = sumif(Sum, Name == "notify.deliveries.failed") by Channel\n| where Sent + Failed >= minimumDeliveries\n| extend FailureRatePercent = round(100.0 * Failed / (Sent + Failed), 1)'
    measure: 'FailureRatePercent'
    aggregation: 'Maximum'
    dimension: 'Channel'
    threshold: failureRateThresholdPercent
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in rules: {
    name: '${namePrefix}${rule.key}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [
        logAnalyticsWorkspaceId
      ]
      evaluationFrequency: rule.evaluationFrequency
      windowSize: rule.windowSize
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: rule.aggregation
            metricMeasureColumn: rule.measure
            dimensions: [
              {
                name: rule.dimension
                operator: 'Include'
                values: [
                  '*'
                ]
              }
            ]
            operator: 'GreaterThan'
            threshold: rule.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      // Stateful: one notification when a rule fires, another when it resolves.
      autoMitigate: true
      // A new workspace has no AppMetrics or StorageQueueLogs table until the first record arrives; validating
      // the queries at deployment would fail on a fresh environment.
      skipQueryValidation: true
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

@description('The resource id of the action group.')
output actionGroupId string = actionGroup.id

@description('The names of the alert rules.')
output alertRuleNames string[] = [for (rule, i) in rules: alertRules[i].name]
