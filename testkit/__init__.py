"""What tests and benchmarks share: stand-ins on loopback, a PostgreSQL server, seed data, fakes."""
