"""The local cloud's leaves: what every service shares (the call, routes, errors, the store, the running cloud).

Nothing here imports a service package or a module of the package above.
"""
