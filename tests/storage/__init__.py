"""Storage adapters, run on SQLite and PostgreSQL alike."""
