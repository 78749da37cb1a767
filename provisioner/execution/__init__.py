"""Running steps: the bounded parallel executor over a dependency order, and retries that understand Azure."""
