"""The local SQL servers' TDS endpoint: one TCP listener on 127.0.0.1 for every server, as Azure's gateway
(the server is picked from LOGIN7's ServerName). See [MS-TDS]; the README's SQL section says what it
implements and refuses."""
