"""Targets and clients: cloud profiles, credentials, the SDK client factory and error translation."""
