"""Entra ID for the local cloud: tokens (issue, validate, JWKS), the OAuth/OIDC endpoints, RBAC evaluation
and the built-in role definitions."""
