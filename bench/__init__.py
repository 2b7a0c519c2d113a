"""Benchmarks that drive the real service on loopback (not part of the installed package)."""
