"""The delivery engine: due actions sent once, paced, retried and reconciled."""
