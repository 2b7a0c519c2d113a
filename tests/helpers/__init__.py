"""Plain helpers shared by several test folders: activities, the running service, cards."""
