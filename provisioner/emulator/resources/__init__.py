"""Microsoft.Resources: subscriptions, resource groups, generic resource lists, cloud metadata."""
