"""The local cloud: an emulator of Entra ID, ARM, Microsoft Graph and the managed-identity endpoints.

Nothing else in `provisioner/` imports this package except the CLI wiring that starts it.
"""
