"""Microsoft.Sql: logical servers, databases, the Entra admin, and each database's authorization state."""
