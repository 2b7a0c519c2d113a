"""Where the Bot Connector for this tenant lives, as Teams last told it."""

from __future__ import annotations

from sqlalchemy import select

from storage.database import Database
from storage.tables import conversation_refs


async def latest_service_url(db: Database) -> tuple[str, str | None] | None:
    """The service URL and tenant of the most recent conversation, if the bot has any.

    A chat with someone who never wrote to the bot must be opened at a service URL; Teams
    gives it with every activity, and it is the same for the whole tenant (its region).
    """
    statement = (
        select(conversation_refs.c.service_url, conversation_refs.c.tenant_id)
        .order_by(conversation_refs.c.updated_at.desc())
        .limit(1)
    )
    async with db.sessions() as session:
        row = (await session.execute(statement)).one_or_none()
    return None if row is None else (row.service_url, row.tenant_id)
