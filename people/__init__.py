"""Adapters for people, calendars and the Teams app: Microsoft Graph or a local YAML file."""
