"""What retention and erasure keep of a shared summary (issue 14), called by storage.anonymise.

The advice for the next person in the job is job knowledge the leaver chose to give to the
unit: it stays with the unit under the departure's anonymous id, without the leaver, dated to
the month, so a later onboarding can still use it. The summary (what they wanted their
manager to know) is the leaver's personal account, and the hiring manager's address names
someone: both go. A share never made, or withdrawn, is deleted whole.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.tables import shared_summaries

if TYPE_CHECKING:
    from storage.anonymise import Counts

Dated = Callable[[datetime | None], datetime | None]


async def keep_shared_advice(
    session: AsyncSession, old: str, new: str, counts: Counts, dated: Dated
) -> None:
    """Move the shared advice of `old` to `new` (see the module docstring), counted."""
    removed, kept = await _moved(session, old, new, dated)
    counts.removed["shared_summaries"], counts.kept["shared_summaries"] = removed, kept


async def _moved(session: AsyncSession, old: str, new: str, dated: Dated) -> tuple[int, int]:
    table = shared_summaries
    row = (await session.execute(select(table).where(table.c.departure_id == old))).first()
    if row is None:
        return 0, 0
    await session.execute(delete(table).where(table.c.departure_id == old))
    if not _advice_shared(row):
        return 1, 0
    await session.execute(
        insert(table).values(
            departure_id=new,
            unit=row.unit,
            with_manager=row.with_manager,
            with_hiring_manager=row.with_hiring_manager,
            hiring_manager_upn=None,
            summary="",
            advice=row.advice,
            answers_included=False,
            chosen_at=dated(row.chosen_at),
            withdrawn_at=None,
            revision=0,
            updated_at=dated(row.chosen_at),
        )
    )
    return 0, 1


def _advice_shared(row: Any) -> bool:
    chosen = row.chosen_at is not None and row.withdrawn_at is None
    return chosen and (row.with_manager or row.with_hiring_manager) and bool(row.advice.strip())
