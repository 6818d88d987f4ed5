"""Django's PostgreSQL backend with a bound on how long psycopg waits for the server's reply
(settings.py selects it for every PostgreSQL ``DATABASE_URL``; see base.py)."""
