"""Statements whose spelling differs between SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite

from storage.database import Database


def insert_for(db: Database, table: Table) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that knows ON CONFLICT, in the dialect of `db` (both spell it the same)."""
    if db.dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
