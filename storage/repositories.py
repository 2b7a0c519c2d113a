"""Every repository in one import, for the wiring in bot/app.py."""

from storage.activities import SeenActivities
from storage.audit import SqlAuditLog
from storage.conversations import SqlConversationRefStore
from storage.departures import SqlDepartureRepository
from storage.documents import DocumentStore

__all__ = [
    "DocumentStore",
    "SeenActivities",
    "SqlAuditLog",
    "SqlConversationRefStore",
    "SqlDepartureRepository",
]
