"""Execution: the dependency graph, the bounded parallel executor, retries, apply and destroy."""
