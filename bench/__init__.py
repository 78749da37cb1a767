"""Benchmarks of provision against the local cloud: `make bench` prints numbers, asserts nothing."""
