// Alerting on the Application Insights component: one action group (who is told), one log search
// alert rule per row of the alert table of docs/operations.md (the rule runs the row's query), and
// Google's service levels per protocol method. A consistency test checks every query against what
// the app emits (event ids of its [LoggerMessage]s, function names of functions.metadata, its queues).

param namePrefix string
param location string
param tags object

@description('Resource ID of the Application Insights component the rules query.')
param applicationInsightsId string

@description('E-mail addresses the action group notifies; empty: none.')
param alertEmailAddresses array

@description('Optional webhook (https) the action group calls with the common alert schema; empty: none.')
param alertWebhookUrl string

// The rows of the alert table of docs/operations.md, one rule each (a consistency test matches them
// by name, severity and query). minCount: rows of the query in one window that fire the alert.
// dimension: a column of the query to alert on per value (with the values allowed), or none.
var operationsAlerts = [
  {
    name: 'parked-work'
    description: 'Event 51: an operation failed Finishing__MaxAttempts times and is parked; list parked work and requeue it (docs/operations.md).'
    severity: 1
    query: 'traces | where customDimensions.EventId == "51"'
    windowSize: 'PT5M'
    evaluationFrequency: 'PT5M'
    minCount: 1
    dimensions: []
  }
  {
    name: 'crmcom-refusing'
    description: 'Events 4107, 4110: CRM.COM refuses our calls or our login; check the CrmCom settings and the Key Vault secret.'
    severity: 1
    query: 'traces | where customDimensions.EventId in ("4107", "4110")'
    windowSize: 'PT5M'
    evaluationFrequency: 'PT5M'
    minCount: 1
    dimensions: []
  }
  {
    name: 'host-poison-message'
    description: 'The Functions host moved a work item to a -poison queue; the relay queues the operation again. The same one again and again is a bug.'
    severity: 3
    query: '''traces | where message startswith "Message has reached MaxDequeueCount" | extend queue = extract("queue '([^']+)'", 1, message)'''
    windowSize: 'PT15M'
    evaluationFrequency: 'PT15M'
    minCount: 1
    dimensions: [
      {
        name: 'queue'
        operator: 'Include'
        values: [
          'refunds-poison'
          'reservation-cancellations-poison'
          'notifications-poison'
          'statements-poison'
          'bookings-poison'
        ]
      }
    ]
  }
  {
    name: 'key-expiry'
    description: 'Event 90: a configured key expires within 30 days; rotate it (docs/deploy.md, key rotation).'
    severity: 2
    query: 'traces | where customDimensions.EventId == "90" | summarize arg_max(timestamp, message) by tostring(customDimensions.KeyId)'
    windowSize: 'P2D'
    evaluationFrequency: 'P1D'
    minCount: 1
    dimensions: []
  }
  {
    name: 'internal-route-refused'
    description: 'Event 43, many in 5 minutes: someone probes the internal routes, or Internal__ApiKey did not resolve.'
    severity: 2
    query: 'traces | where customDimensions.EventId == "43"'
    windowSize: 'PT5M'
    evaluationFrequency: 'PT5M'
    minCount: 10
    dimensions: []
  }
  {
    name: 'internal-fault'
    description: 'Event 4: a protocol call ended in an internal fault (a bug); report it with the error identifier.'
    severity: 1
    query: 'traces | where customDimensions.EventId == "4"'
    windowSize: 'PT5M'
    evaluationFrequency: 'PT5M'
    minCount: 1
    dimensions: []
  }
  {
    name: 'storage-unavailable'
    description: 'Event 5: storage did not answer a protocol call (Google got 503); check the storage account.'
    severity: 2
    query: 'traces | where customDimensions.EventId == "5"'
    windowSize: 'PT5M'
    evaluationFrequency: 'PT5M'
    minCount: 3
    dimensions: []
  }
  {
    name: 'load-shedding'
    description: 'Event 66: the finishing backlog reached Finishing__MaxBacklog and new asynchronous calls are answered 503; event 67 says it stopped.'
    severity: 2
    query: 'traces | where customDimensions.EventId == "66"'
    windowSize: 'PT5M'
    evaluationFrequency: 'PT5M'
    minCount: 1
    dimensions: []
  }
  {
    name: 'relay-requeued'
    description: 'Event 65, often: the outbox relay keeps finding lost queue messages.'
    severity: 3
    query: 'traces | where customDimensions.EventId == "65"'
    windowSize: 'PT1H'
    evaluationFrequency: 'PT15M'
    minCount: 10
    dimensions: []
  }
  {
    name: 'put-after-commit-failed'
    description: 'Events 11, 30, often: queue puts after a commit keep failing; the relay re-queues the work.'
    severity: 3
    query: 'traces | where customDimensions.EventId == "11"'
    windowSize: 'PT1H'
    evaluationFrequency: 'PT15M'
    minCount: 10
    dimensions: []
  }
  {
    name: 'dependency-down'
    description: 'Event 71: a circuit breaker opened (CRM.COM or Google\'s notification endpoint fails for most calls); work waits, nothing is parked.'
    severity: 2
    query: 'traces | where customDimensions.EventId == "71"'
    windowSize: 'PT5M'
    evaluationFrequency: 'PT5M'
    minCount: 1
    dimensions: []
  }
  {
    name: 'google-notification-failing'
    description: 'Event 4201 at a rate: notifications to Google keep failing (each is retried).'
    severity: 2
    query: 'traces | where customDimensions.EventId == "4201"'
    windowSize: 'PT15M'
    evaluationFrequency: 'PT15M'
    minCount: 20
    dimensions: []
  }
  {
    name: 'relay-failing'
    description: 'The outbox relay (every 30 s) failed 10 of its last 30 runs.'
    severity: 2
    query: 'requests | where name == "OutboxRelay" and success == false'
    windowSize: 'PT15M'
    evaluationFrequency: 'PT5M'
    minCount: 10
    dimensions: []
  }
  {
    name: 'sweep-failing'
    description: 'The retention sweep (hourly) failed 2 of its last 3 runs.'
    severity: 3
    query: 'requests | where name == "IdempotencyRetention" and success == false'
    windowSize: 'PT3H'
    evaluationFrequency: 'PT1H'
    minCount: 2
    dimensions: []
  }
  {
    name: 'sweep-behind'
    description: 'Event 81 in (nearly) every hourly sweep for 2 days: the tables outgrow an hourly 5-minute pass.'
    severity: 4
    query: 'traces | where customDimensions.EventId == "81"'
    windowSize: 'P2D'
    evaluationFrequency: 'P1D'
    minCount: 40
    dimensions: []
  }
]

// The protocol functions (one per method Google calls; functions.metadata's names, a consistency
// test checks): Google measures each method on its own, so each rule alerts per function.
var protocolFunctions = [
  'RefundableOneTimePaymentCodeV1Echo'
  'RefundableOneTimePaymentCodeV1GenerateReferenceNumber'
  'RefundableOneTimePaymentCodeV1AsynchronousRefund'
  'RefundableOneTimePaymentCodeV2Echo'
  'RefundableOneTimePaymentCodeV2GenerateReferenceNumber'
  'RefundableOneTimePaymentCodeV2CancelReferenceNumber'
  'RedirectPaymentTokenV1Echo'
  'RedirectPaymentTokenV1ReserveFunds'
  'RedirectPaymentTokenV1CancelFundsReservation'
  'EWalletsV1Echo'
  'EWalletsV1CreateMandate'
  'EWalletsV1CancelMandate'
  'RedirectPaymentTokenV1CaptureFundsReservation'
  'RedirectPaymentTokenV1Refund'
  'EWalletsV1Capture'
  'EWalletsV1Refund'
  'RefundableOneTimePaymentCodeV1CancelReferenceNumber'
  'RefundableOneTimePaymentCodeV2AsynchronousRefund'
  'RefundableOneTimePaymentCodeV1RemittanceStatementNotification'
  'RefundableOneTimePaymentCodeV2RemittanceStatementNotification'
  'RedirectPaymentTokenV1RemittanceStatementNotification'
  'EWalletsV1RemittanceStatementNotification'
]

// Google's measures per method (docs/operations.md): 90% within 3 s and 95% within 5 s per hour;
// 99.9% answered validly within 7 s per day. A call fails when it is not a success, is answered
// 5xx, or takes over 7 s.
var slaAlerts = [
  {
    name: 'sla-p90-latency'
    description: 'Google\'s hourly measure: the 90th percentile of a method\'s calls took over 3 s.'
    query: 'requests | summarize measure = percentile(duration, 90) by name'
    threshold: 3000
    windowSize: 'PT1H'
    evaluationFrequency: 'PT15M'
  }
  {
    name: 'sla-p95-latency'
    description: 'Google\'s hourly measure: the 95th percentile of a method\'s calls took over 5 s.'
    query: 'requests | summarize measure = percentile(duration, 95) by name'
    threshold: 5000
    windowSize: 'PT1H'
    evaluationFrequency: 'PT15M'
  }
  {
    name: 'sla-failure-rate'
    description: 'Google\'s daily measure: over 0.1% of a method\'s calls were not answered validly within 7 s.'
    // Per mille: over 1 in 1000 calls.
    query: 'requests | summarize measure = 1000.0 * countif(success == false or toint(resultCode) >= 500 or duration > 7000) / count() by name'
    threshold: 1
    windowSize: 'P1D'
    evaluationFrequency: 'PT1H'
  }
]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-oncall'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'gsp-oncall'
    enabled: true
    emailReceivers: [
      for (address, i) in alertEmailAddresses: {
        name: 'email-${i}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
    webhookReceivers: empty(alertWebhookUrl)
      ? []
      : [
          {
            name: 'webhook'
            serviceUri: alertWebhookUrl
            useCommonAlertSchema: true
          }
        ]
  }
}

resource operationsRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for alert in operationsAlerts: {
    name: '${namePrefix}-${alert.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: '${namePrefix}-${alert.name}'
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [
        applicationInsightsId
      ]
      evaluationFrequency: alert.evaluationFrequency
      windowSize: alert.windowSize
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Count'
            operator: 'GreaterThanOrEqual'
            threshold: alert.minCount
            dimensions: alert.dimensions
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

resource slaRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for alert in slaAlerts: {
    name: '${namePrefix}-${alert.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: '${namePrefix}-${alert.name}'
      description: alert.description
      severity: 2
      enabled: true
      scopes: [
        applicationInsightsId
      ]
      evaluationFrequency: alert.evaluationFrequency
      windowSize: alert.windowSize
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Maximum'
            metricMeasureColumn: 'measure'
            operator: 'GreaterThan'
            threshold: alert.threshold
            dimensions: [
              {
                name: 'name'
                operator: 'Include'
                values: protocolFunctions
              }
            ]
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

output actionGroupName string = actionGroup.name
