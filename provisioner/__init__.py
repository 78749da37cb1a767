"""provision: declarative Azure managed-identity setups, with a local cloud to run them on."""

__version__ = "0.1.0"
