metadata name = 'Log Analytics workspace and Application Insights'
metadata description = 'A workspace-based Application Insights component that accepts only Entra ID (managed identity) authenticated telemetry.'

import { roleAssignmentType } from 'shared.bicep'

@description('Required. Name of the Log Analytics workspace.')
param logAnalyticsName string

@description('Required. Name of the Application Insights component.')
param applicationInsightsName string

@description('Required. Location of both resources.')
param location string

@description('Optional. Tags of the resources.')
param tags object = {}

@description('Optional. Days the workspace keeps data (30 is included in the ingestion price).')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

@description('Optional. Daily ingestion cap in GB; -1 for none. A cap also stops the logs the alert rules read, so keep it generous.')
param dailyQuotaGb int = -1

@description('Optional. Role assignments on the Application Insights component (the app identity needs Monitoring Metrics Publisher, because local auth is off).')
param roleAssignments roleAssignmentType[] = []

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    workspaceCapping: {
      dailyQuotaGb: dailyQuotaGb
    }
    features: {
      // Only Entra ID authenticated ingestion (Application Insights and diagnostic settings use it anyway).
      disableLocalAuth: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    // Telemetry must carry an Entra ID token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING on the app):
    // the instrumentation key in the connection string alone can no longer write.
    DisableLocalAuth: true
  }
}

resource appInsightsRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for ra in roleAssignments: {
    name: guid(appInsights.id, ra.principalId, ra.roleDefinitionId)
    scope: appInsights
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ra.roleDefinitionId)
      principalId: ra.principalId
      principalType: ra.?principalType
      description: ra.?description
    }
  }
]

@description('The resource id of the Log Analytics workspace.')
output logAnalyticsWorkspaceId string = workspace.id

@description('The name of the Log Analytics workspace.')
output logAnalyticsName string = workspace.name

@description('The resource id of the Application Insights component.')
output applicationInsightsId string = appInsights.id

@description('The name of the Application Insights component.')
output applicationInsightsName string = appInsights.name

@description('The Application Insights connection string. Not a secret here: with local auth disabled it cannot write telemetry without an Entra ID token.')
output applicationInsightsConnectionString string = appInsights.properties.ConnectionString
