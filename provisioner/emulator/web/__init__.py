"""Microsoft.Web: App Service plans and web apps, with managed identities and their token endpoint."""
