"""Azure Database for MySQL flexible servers: ARM (Microsoft.DBforMySQL) and the MySQL wire listener."""
