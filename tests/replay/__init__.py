"""Replaying Azure's own traffic (tests/data/azure-reference) against a fresh local cloud."""
