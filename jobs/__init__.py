"""Background jobs that run for the service's lifetime: retention, housekeeping, departure events."""
