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

@description('Required. Resource id of the Log Analytics workspace the rules query (AppTraces from Application Insights, StorageQueueLogs from the storage diagnostic setting).')
param logAnalyticsWorkspaceId string

@description('Optional. E-mail addresses notified by the action group.')
param emailAddresses string[] = []

@description('Optional. A webhook the action group posts to (common alert schema). May carry a token, hence secure.')
@secure()
param webhookServiceUri string = ''

@description('Required. The poison (dead-letter) queue names, e.g. notify-push-poison.')
param poisonQueueNames string[]

@description('Optional. Alert when a queue message waited longer than this many minutes before a worker picked it up. Retries wait in the queue on purpose (visibility delay up to Notify__Delivery__RetryMaxDelay, 30 minutes by default), so keep this above that.')
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

// Worker logs reach Application Insights either through the worker's Application Insights logger (EventName,
// EventId and message-template values as custom dimensions) or forwarded by the Functions host (the same
// values prefixed "prop__"). The queries read both, so they hold whichever way the app is wired.
var traceFields = 'AppTraces\n| extend EventName = coalesce(tostring(Properties["EventName"]), tostring(Properties["prop__EventName"])), EventId = coalesce(tostring(Properties["EventId"]), tostring(Properties["prop__EventId"]))\n'

var rules = [
  {
    key: 'dead-letters'
    displayName: 'Notify: messages dead-lettered'
    description: 'A message was moved to a poison queue (notify-*-poison) after maxDequeueCount failed attempts. Storage Queue metrics are per account, not per queue, so this is a log search over the queue service write log (StorageQueueLogs): each PutMessage on a poison queue is one dead letter. Counting arrivals, not queue length, also catches messages the dead-letter function has already drained.'
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
    description: 'A queue message waited more than ${queueAgeThresholdMinutes} minutes between being enqueued and a worker starting on it. There is no queue-age metric for Storage Queues; the Functions host logs "Trigger Details: MessageId: ..., DequeueCount: ..., InsertionTime: ..." for every queue-triggered invocation, and its age is the log time minus InsertionTime. A stopped app logs nothing, so this rule cannot see a backlog nobody is reading.'
    severity: 2
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    query: 'AppTraces\n| where Message startswith "Trigger Details: MessageId:" and Message has "InsertionTime:"\n| extend InsertedAt = todatetime(extract(@"InsertionTime: ([^,]+)", 1, Message))\n| where isnotnull(InsertedAt)\n| extend AgeMinutes = (TimeGenerated - InsertedAt) / 1m\n| summarize OldestMessageAgeMinutes = max(AgeMinutes) by FunctionName = OperationName'
    measure: 'OldestMessageAgeMinutes'
    aggregation: 'Maximum'
    dimension: 'FunctionName'
    threshold: queueAgeThresholdMinutes
  }
  {
    key: 'notify-alerts'
    displayName: 'Notify: alert raised by the app'
    description: 'The app logged an alert (event id 9000, EventName NotifyAlert): a delivery failed for good, a dead letter was handled, or a message could not be decoded. AlertKind says which.'
    severity: 1
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    query: '${traceFields}| where EventName == "NotifyAlert" or (EventId == "9000" and Message startswith "ALERT ")\n| extend AlertKind = coalesce(tostring(Properties["AlertKind"]), tostring(Properties["prop__AlertKind"]), "unknown")\n| summarize Alerts = count() by AlertKind'
    measure: 'Alerts'
    aggregation: 'Total'
    dimension: 'AlertKind'
    threshold: 0
  }
  {
    key: 'failure-rate'
    displayName: 'Notify: delivery failure rate per channel'
    description: 'More than ${failureRateThresholdPercent}% of a channel\'s finished deliveries failed (DeliveryFailed vs DeliverySent) in the last hour, counted only with at least ${failureRateMinimumDeliveries} finished deliveries.'
    severity: 2
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    query: 'let minimumDeliveries = ${failureRateMinimumDeliveries};\n${traceFields}| extend EventName = case(EventName != "", EventName, EventId == "2001" and Message startswith "Delivery ", "DeliverySent", EventId == "2003" and Message startswith "Delivery ", "DeliveryFailed", "")\n| where EventName in ("DeliverySent", "DeliveryFailed")\n| extend Channel = coalesce(tostring(Properties["Channel"]), tostring(Properties["prop__Channel"]), "unknown")\n| summarize Sent = countif(EventName == "DeliverySent"), Failed = countif(EventName == "DeliveryFailed") by Channel\n| where Sent + Failed >= minimumDeliveries\n| extend FailureRatePercent = round(100.0 * Failed / (Sent + Failed), 1)'
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
      // A new workspace has no AppTraces or StorageQueueLogs table until the first record arrives; validating
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
