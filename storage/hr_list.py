"""HR's list of departures as SQL: the filters, the name search, the order and the count.

Everything happens in the database: a page is `LIMIT/OFFSET` over an order on the last working
day. The list of active departures reads through the partial index `ix_departures_hr_list`
(last working day, registration, id; migration 0010) in the order it shows: the upcoming part
forwards from today, then the past part backwards, so a page stops reading once it is full
instead of sorting the whole table (bench/hr_status.py).

The name search is case-insensitive for every letter, also on a database whose locale folds
only ASCII (SQLite's `lower()` and `LIKE` leave Æ, Ø and Å as they are; a PostgreSQL cluster
made with the C locale does the same for `ILIKE`): each letter of the search becomes the class
of its two cases, `[øØ]`, matched with GLOB on SQLite and a regular expression on PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy import text as sql_text

from journey.departure import DepartureStatus, Reach
from journey.hr_status import FINISHED, NOTES_GRACE, HrQuery
from storage.tables import ACTIVE_DEPARTURE, departures

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


def _through_the_index(query: HrQuery) -> bool:
    """Whether the list is read through ix_departures_hr_list in its order: the active
    departures, by unit or state too. A name search (finished ones too) and the attention
    filter (a few rows of many) are one scan and a sort of what matches: cheaper than looking
    up every active row through the index."""
    return not query.search and not query.attention


def _where(
    dialect: str, query: HrQuery, now: datetime, quiet_since: datetime
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]]
    if query.search:
        conditions = [c.leaver_upn != "", _name_matches(dialect, query.search)]
    elif _through_the_index(query):
        # Written out as the index's own predicate (not bound parameters), so both databases
        # can prove at planning time that the partial index ix_departures_hr_list holds it.
        conditions = [sql_text(ACTIVE_DEPARTURE)]
    else:
        conditions = [c.leaver_upn != "", c.status.not_in([s.value for s in FINISHED])]
    if query.unit is not None:
        conditions.append(c.unit == query.unit)
    if query.state is not None:
        conditions.append(c.status == query.state.value)
    if query.attention:
        conditions.append(attention_clause(now, quiet_since))
    return conditions


def hr_list_statements(
    dialect: str, query: HrQuery, *, today: date, now: datetime, quiet_since: datetime
) -> tuple[Select[tuple[object, ...]] | CompoundSelect, Select[tuple[int]]]:
    """The page's SELECT (to be given LIMIT/OFFSET) and the COUNT of every match.

    Order: last working day today or later first, soonest first; then past ones, the most
    recent first; ties by registration and id, so pages never overlap.
    """
    conditions = _where(dialect, query, now, quiet_since)
    count = select(func.count()).select_from(departures).where(*conditions)
    if not _through_the_index(query):
        return _sorted_page(conditions, today), count
    # Each part is one range of the index read in its order (the past part sorts only the ties
    # of one day), and UNION ALL hands out the first part before the second, so LIMIT/OFFSET
    # stop reading once the page is full.
    day = c.last_working_day
    upcoming = (
        select(departures)
        .where(*conditions, day >= today)
        .order_by(day, c.created_at, c.id)
        .subquery("upcoming")
    )
    past = (
        select(departures)
        .where(*conditions, day < today)
        .order_by(day.desc(), c.created_at, c.id)
        .subquery("past")
    )
    return union_all(select(upcoming), select(past)), count


def _sorted_page(conditions: list[ColumnElement[bool]], today: date) -> Select[tuple[object, ...]]:
    """The same order over what `conditions` match, sorted by the database."""
    past = c.last_working_day < today
    upcoming_day = case((past, literal(None)), else_=c.last_working_day)
    return (
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
