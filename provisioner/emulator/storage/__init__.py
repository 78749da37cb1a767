"""Microsoft.Storage: storage accounts, keys, blob containers and service SAS; the blob data plane."""
