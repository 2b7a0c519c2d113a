"""Background jobs that run for the service's lifetime: retention, pruning, departure events."""
