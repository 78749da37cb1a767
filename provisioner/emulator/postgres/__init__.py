"""Azure Database for PostgreSQL flexible servers: ARM, and a real PostgreSQL cluster per server behind
the local cloud's own PostgreSQL listener (Entra token sign-in, then the session relayed)."""
