"""Microsoft.Compute: virtual machines with system- and user-assigned identities."""
