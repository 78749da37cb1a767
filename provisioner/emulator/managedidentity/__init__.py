"""Microsoft.ManagedIdentity: user-assigned identities and the system-assigned identity view."""
