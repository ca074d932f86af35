// Key Vault in RBAC authorization mode holding the key material and passwords the app reads.
// The app reads them as Key Vault references (@Microsoft.KeyVault(SecretUri=...)) resolved by
// the platform with the user-assigned identity (Key Vault Secrets User).
//
// A secret is written by this deployment only when its parameter is non-empty, so redeploying
// with empty parameters never overwrites a value an operator set with `az keyvault secret set`
// (the recommended way: values then never pass through deployment history).

param name string
param location string
param tags object

@secure()
@description('ASCII-armored OpenPGP secret key block(s) of ours (Security:Pgp:IntegratorPrivateKeys).')
param pgpIntegratorPrivateKeys string = ''

@secure()
@description('Passphrase of those keys (Security:Pgp:Passphrase).')
param pgpPassphrase string = ''

@description('ASCII-armored OpenPGP public key block(s) of Google (Security:Pgp:GooglePublicKeys). Not secret; kept here so that all key material rotates in one place.')
param pgpGooglePublicKeys string = ''

@secure()
@description('PEM private key(s) of ours for the JWE/JWS scheme (Security:Jwe:IntegratorPrivateKeys).')
param jweIntegratorPrivateKeys string = ''

@description('PEM public key(s) of Google for the JWE/JWS scheme (Security:Jwe:GooglePublicKeys). Not secret.')
param jweGooglePublicKeys string = ''

@secure()
@description('CRM.COM back-office password (BackOffice:CrmCom:Password).')
param crmComPassword string = ''

@secure()
@description('The app\'s own key of the internal routes (Internal:ApiKey), sent in x-internal-key.')
param internalApiKey string = ''

@description('Log Analytics workspace for the audit log (every secret read and change).')
param logAnalyticsWorkspaceId string

// Secret names (Key Vault: 1-127 characters, letters, digits and dashes).
var names = {
  pgpIntegratorPrivateKeys: 'pgp-integrator-private-keys'
  pgpPassphrase: 'pgp-passphrase'
  pgpGooglePublicKeys: 'pgp-google-public-keys'
  jweIntegratorPrivateKeys: 'jwe-integrator-private-keys'
  jweGooglePublicKeys: 'jwe-google-public-keys'
  crmComPassword: 'crmcom-password'
  internalApiKey: 'internal-api-key'
}

var values = [
  {
    name: names.pgpIntegratorPrivateKeys
    value: pgpIntegratorPrivateKeys
  }
  {
    name: names.pgpPassphrase
    value: pgpPassphrase
  }
  {
    name: names.pgpGooglePublicKeys
    value: pgpGooglePublicKeys
  }
  {
    name: names.jweIntegratorPrivateKeys
    value: jweIntegratorPrivateKeys
  }
  {
    name: names.jweGooglePublicKeys
    value: jweGooglePublicKeys
  }
  {
    name: names.crmComPassword
    value: crmComPassword
  }
  {
    name: names.internalApiKey
    value: internalApiKey
  }
]

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // A deleted vault (and its keys) can be recovered for 90 days and purged by no one; landing-zone
    // policies commonly require it. Once on, it cannot be turned off.
    enablePurgeProtection: true
    // Public endpoint on: the Flex Consumption app resolves its Key Vault references over it (a
    // private endpoint needs the app in a virtual network, which this template does not build).
    // Access is by Entra ID and RBAC only, and every read is in the audit log below (docs/deploy.md).
    publicNetworkAccess: 'Enabled'
  }
}

resource auditLog 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

resource secrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [
  for secret in values: if (!empty(secret.value)) {
    parent: vault
    name: secret.name
    properties: {
      value: secret.value
      contentType: 'text/plain'
    }
  }
]

output name string = vault.name
output vaultUri string = vault.properties.vaultUri
output secretNames object = names
