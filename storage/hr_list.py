"""HR's list of departures as SQL: the filters, the name search, the order and the count.

Everything happens in the database: a page is `LIMIT/OFFSET` over an order on the last working
day, so the list costs the same with 100 departures as with 10,000 (bench/hr_status.py).

The name search is case-insensitive for every letter, also on a database whose locale folds
only ASCII (SQLite's `lower()` and `LIKE` leave Æ, Ø and Å as they are; a PostgreSQL cluster
made with the C locale does the same for `ILIKE`): each letter of the search becomes the class
of its two cases, `[øØ]`, matched with GLOB on SQLite and a regular expression on PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select

from journey.departure import DepartureStatus, Reach
from journey.hr_status import FINISHED, NOTES_GRACE, HrQuery
from storage.tables import departures

c = departures.c
_GLOB_SPECIAL = frozenset("*?[")


def _cases(char: str) -> str:
    """The one-character cases of `char` (itself when it has none)."""
    variants = dict.fromkeys(v for v in (char.lower(), char.upper(), char) if len(v) == 1)
    return "".join(variants)


def glob_pattern(text: str) -> str:
    """SQLite GLOB that finds `text` anywhere, in any case: "Øs" -> "*[øØ][sS]*"."""
    parts = []
    for char in text:
        cases = _cases(char)
        if len(cases) > 1 or char in _GLOB_SPECIAL:
            parts.append(f"[{cases}]")
        else:
            parts.append(char)
    return "*" + "".join(parts) + "*"


def regex_pattern(text: str) -> str:
    """A PostgreSQL regular expression that finds `text` anywhere, in any case."""
    parts = []
    for char in text:
        cases = _cases(char)
        if len(cases) > 1:
            parts.append(f"[{cases}]")
        elif char.isalnum():
            parts.append(char)
        else:
            parts.append("\\" + char)  # a backslash before a non-alphanumeric is that character
    return "".join(parts)


def _name_matches(dialect: str, text: str) -> ColumnElement[bool]:
    """The leaver's name or address contains `text`, in any case."""
    if dialect == "sqlite":
        pattern = glob_pattern(text)
        return or_(c.leaver_name.op("GLOB")(pattern), c.leaver_upn.op("GLOB")(pattern))
    regex = regex_pattern(text)
    return or_(c.leaver_name.regexp_match(regex), c.leaver_upn.regexp_match(regex))


def attention_clause(now: datetime, quiet_since: datetime) -> ColumnElement[bool]:
    """journey.hr_status.attention_of in SQL: unreachable, unanswered, stuck after a yes, or
    a conversation over but not marked held."""
    ok = or_(c.reach.is_(None), c.reach == Reach.OK.value)
    unreachable = and_(c.reach.is_not(None), c.reach != Reach.OK.value)
    unanswered = and_(
        c.status == DepartureStatus.OFFERED.value,
        or_(
            and_(c.remind_offer_at.is_not(None), c.remind_offer_at <= now),
            and_(c.remind_offer_at.is_(None), c.created_at <= quiet_since),
        ),
    )
    accepted = c.status == DepartureStatus.ACCEPTED.value
    waits_on_interviewer = and_(c.interviewer_upn.is_not(None), c.times_requested_at.is_not(None))
    interviewer_not_acting = and_(
        accepted, waits_on_interviewer, c.times_requested_at <= quiet_since
    )
    not_booked = and_(
        accepted,
        ~waits_on_interviewer,
        func.coalesce(c.accepted_at, c.created_at) <= quiet_since,
    )
    notes_missing = and_(
        c.status == DepartureStatus.BOOKED.value, c.meeting_end <= now - NOTES_GRACE
    )
    stuck = or_(unanswered, interviewer_not_acting, not_booked, notes_missing)
    still_open = c.status.not_in([status.value for status in FINISHED])
    return and_(still_open, or_(unreachable, and_(ok, stuck)))


def _where(
    dialect: str, query: HrQuery, now: datetime, quiet_since: datetime
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [c.leaver_upn != ""]  # anonymised ones are gone
    if query.search:
        conditions.append(_name_matches(dialect, query.search))
    else:
        conditions.append(c.status.not_in([status.value for status in FINISHED]))
    if query.unit is not None:
        conditions.append(c.unit == query.unit)
    if query.state is not None:
        conditions.append(c.status == query.state.value)
    if query.attention:
        conditions.append(attention_clause(now, quiet_since))
    return conditions


def hr_list_statements(
    dialect: str, query: HrQuery, *, today: date, now: datetime, quiet_since: datetime
) -> tuple[Select[tuple[object, ...]], Select[tuple[int]]]:
    """The page's SELECT (to be given LIMIT/OFFSET) and the COUNT of every match.

    Order: last working day today or later first, soonest first; then past ones, the most
    recent first; ties by registration and id, so pages never overlap.
    """
    conditions = _where(dialect, query, now, quiet_since)
    past = c.last_working_day < today
    upcoming_day = case((past, literal(None)), else_=c.last_working_day)
    page = (
        select(departures)
        .where(*conditions)
        .order_by(
            case((past, 1), else_=0),
            upcoming_day.asc(),
            c.last_working_day.desc(),
            c.created_at,
            c.id,
        )
    )
    count = select(func.count()).select_from(departures).where(*conditions)
    return page, count
