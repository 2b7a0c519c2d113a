"""HR's HTTP API (/api/hr): registration by HR systems, with its own authentication and OpenAPI."""
