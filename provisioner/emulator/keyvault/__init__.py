"""Microsoft.KeyVault: vaults with access policies or RBAC, and the secrets data plane."""
