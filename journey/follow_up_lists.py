"""The follow-up lists (issue 14): what each person sees of the follow-ups in their scope.

Who sees a unit's follow-ups is journey.local_ownership's rule: HR every unit, a unit's
manager and its representatives their unit. What they see of each open follow-up:

- what was promised (the text is the organisation's promise, written by the interviewer, not
  the leaver's words), the role of its owner (interviewer, manager, HR or a named person, never
  the owner's name), the due date, the area (the question set's section) and whether it is
  overdue: open and due before today in the organisation's time zone;
- never the leaver: no name, no departure, no last working day, no date it was agreed, and
  the list is ordered by unit and due date, never grouped by departure;
- a text that names the leaver anyway (a part of the leaver's name as a word in it) is
  withheld from everyone but HR, and the card says so: a representative must never read a
  leaver's name, and a manager of the unit is not necessarily the leaver's manager (a leaver
  may have chosen someone else to keep the conversation from their manager).

A person's own open follow-ups (they are the owner) are shown with their text as written:
they were given them to act on.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from journey.local_ownership import LocalScope, Role

PAGE_SIZE = 8  # follow-ups of the scope per card page
OWN_LIMIT = 10  # the person's own open follow-ups shown at once
OPEN = "open"
NAME_PART_MIN = 2  # name parts shorter than this ("A.") are not looked for


class FollowUpRow(BaseModel):
    """One open follow-up as storage reads it; `leaver_name` is for the check only."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    unit: str
    area: str
    what: str
    owner_kind: str
    due_on: date
    leaver_name: str | None = None


class UnitTally(BaseModel):
    """How many follow-ups of one unit are open, and how many of those are overdue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: str
    open: int
    overdue: int


class Listed(BaseModel):
    """One follow-up as a list shows it: `what` is None when it is withheld."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: str
    area: str
    what: str | None
    owner_kind: str
    due_on: date
    overdue: bool


class FollowUpPage(BaseModel):
    """One page of a scope's open follow-ups, the tally per unit, and the person's own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tallies: tuple[UnitTally, ...] = ()
    items: tuple[Listed, ...] = ()
    page: int = 0
    pages: int = 0
    own: tuple[Listed, ...] = ()
    own_more: int = 0  # own open follow-ups beyond those shown


class FollowUpSource(Protocol):
    """Where the lists come from (storage.follow_up_lists.SqlFollowUpLists).

    `units` None: every unit (HR); an empty set: none.
    """

    async def tallies(self, units: frozenset[str] | None, today: date) -> list[UnitTally]: ...

    async def open_page(
        self, units: frozenset[str] | None, offset: int, limit: int
    ) -> list[FollowUpRow]: ...

    async def own_open(self, upn: str, limit: int) -> tuple[list[FollowUpRow], int]: ...


def is_overdue(due_on: date, today: date) -> bool:
    """Open and due before today (the caller knows it is open)."""
    return due_on < today


def names_leaver(text: str, leaver_name: str | None) -> bool:
    """Whether `text` holds a part of the leaver's name as a word (case and accents as typed)."""
    if not leaver_name:
        return False
    words = {w.casefold() for w in re.findall(r"\w+", text)}
    parts = [p.casefold() for p in re.findall(r"\w+", leaver_name) if len(p) >= NAME_PART_MIN]
    return any(part in words for part in parts)


def listed(row: FollowUpRow, role: Role | None, today: date, *, owner: bool = False) -> Listed:
    """The follow-up as `role` in its unit sees it: the text withheld from anyone but HR and
    its `owner` when it names the leaver."""
    shown = owner or role is Role.HR or not names_leaver(row.what, row.leaver_name)
    return Listed(
        unit=row.unit,
        area=row.area,
        what=row.what if shown else None,
        owner_kind=row.owner_kind,
        due_on=row.due_on,
        overdue=is_overdue(row.due_on, today),
    )


def pages_of(total: int) -> int:
    """How many pages `total` open follow-ups fill (none for none)."""
    return -(-total // PAGE_SIZE)


async def follow_up_page(
    source: FollowUpSource, scope: LocalScope, upn: str | None, page: int, today: date
) -> FollowUpPage:
    """The person's lists: their scope's tallies and one page of its open follow-ups (soonest
    due first, unit by unit), and their own open ones. A page beyond the last shows the last."""
    units = None if scope.everything else scope.units
    tallies = tuple(await source.tallies(units, today)) if scope.anything else ()
    pages = pages_of(sum(t.open for t in tallies))
    page = min(max(page, 0), max(pages - 1, 0))
    rows = await source.open_page(units, page * PAGE_SIZE, PAGE_SIZE) if pages else []
    own_rows, own_total = await source.own_open(upn, OWN_LIMIT) if upn else ([], 0)
    return FollowUpPage(
        tallies=tallies,
        items=tuple(listed(row, scope.role_in(row.unit), today) for row in rows),
        page=page,
        pages=pages,
        own=tuple(listed(row, None, today, owner=True) for row in own_rows),
        own_more=max(own_total - len(own_rows), 0),
    )
