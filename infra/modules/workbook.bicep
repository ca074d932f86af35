// A shared workbook on the Application Insights component: Google's measures per protocol method
// (hourly p90/p95, daily availability), the same ones the sla-* alert rules watch. Its content is
// sla-workbook.json (a consistency test checks its queries against functions.metadata).

param name string
param location string
param tags object

@description('Resource ID of the Application Insights component the workbook queries.')
param applicationInsightsId string

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's resource name must be a GUID.
  name: guid(resourceGroup().id, name)
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: name
    category: 'workbook'
    sourceId: applicationInsightsId
    serializedData: loadTextContent('sla-workbook.json')
  }
}
