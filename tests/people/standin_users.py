"""The stand-in's user queries as Graph v1.0 answers them: `$select`, `$filter`, `$top` paging
with `$skiptoken`, and `users/delta` with its change log (tests/people/graph_standin.py serves
them).

What it keeps of Graph's documented behaviour (learn.microsoft.com/graph):
- `$select` returns only the properties asked for (null when unset); without it, the default
  set, which leaves out properties "returned only on `$select`" (employeeLeaveDateTime,
  department, companyName, employeeType, ...). An unknown property is a 400.
- `$filter`: `prop op value` clauses joined by `and`; `eq`, `ne`, `ge`, `le`. A DateTimeOffset
  takes an unquoted literal (`2027-01-01T00:00:00Z`), a string a quoted one. Properties and
  operators that are "advanced" (aad-advanced-queries: employeeLeaveDateTime, employeeHireDate,
  companyName, employeeType, ...; `ne` on anything) need the `ConsistencyLevel: eventual`
  header and `$count=true`, else 400 Request_UnsupportedQuery; with them the answer carries
  `@odata.count`.
- `$top`: 1 to 999 (default page 100); further pages by `@odata.nextLink` with `$skiptoken`.
- `users/delta`: `$deltatoken=latest` gives a deltaLink and no users; a deltaLink gives the
  users changed since, each as its id plus the selected properties it has ever had (the
  default), or only the changed ones with `Prefer: return=minimal`; a change to a property
  not selected does not show; deleted users come as `{"id", "@removed": {"reason"}}`. Pages
  by `$skiptoken`, the last one carrying `@odata.deltaLink` with a `$deltatoken`. Expired
  links answer 410 Gone with a Location to start over (or 400 syncStateNotFound, a token past
  its 7 days).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

LEAVE_DATE = "employeeLeaveDateTime"

# Returned when a query has no $select (user resource: "Returned by default").
DEFAULT_PROPERTIES = (
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
)
_OTHER_PROPERTIES = (
    "accountEnabled",
    "city",
    "companyName",
    "country",
    "createdDateTime",
    "department",
    "employeeHireDate",
    "employeeId",
    "employeeLeaveDateTime",
    "employeeType",
    "usageLocation",
    "userType",
)
# Property names as Graph spells them, by lower case ($select is not case-sensitive).
_CANONICAL = {name.lower(): name for name in (*DEFAULT_PROPERTIES, *_OTHER_PROPERTIES)}
_DATES = frozenset({"employeeLeaveDateTime", "employeeHireDate", "createdDateTime"})
# $filter on these needs the advanced query parameters, whatever the operator
# (includes/filter-directory-objects.md).
ADVANCED_ONLY = frozenset(
    {
        "employeeLeaveDateTime",
        "employeeHireDate",
        "companyName",
        "employeeType",
        "officeLocation",
        "preferredLanguage",
        "mobilePhone",
    }
)
_OPERATORS = frozenset({"eq", "ne", "ge", "le"})
_DATE_LITERAL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$")
_TOKENS = re.compile(r"'(?:[^']|'')*'|[^\s']+")
DEFAULT_PAGE = 100
MAX_TOP = 999


class QueryError(Exception):
    """A request Graph would refuse: the status, Graph's error code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def canonical(name: str) -> str:
    """The property as Graph spells it; QueryError for one the user resource lacks."""
    if name.startswith("extension_"):
        return name
    found = _CANONICAL.get(name.strip().lower())
    if found is None:
        raise QueryError(
            400,
            "Request_BadRequest",
            f"Could not find a property named '{name}' on type 'microsoft.graph.user'.",
        )
    return found


def parse_select(text: str | None) -> tuple[str, ...] | None:
    """The `$select` list (id always in it), or None for Graph's default set."""
    if not text:
        return None
    names = [canonical(part) for part in text.split(",") if part.strip()]
    return tuple(dict.fromkeys(["id", *names]))


def project(user: Mapping[str, Any], select: tuple[str, ...] | None) -> dict[str, Any]:
    """The user as a list answer shows it: selected properties, null when unset."""
    return {name: user.get(name) for name in (select or DEFAULT_PROPERTIES)}


@dataclass(frozen=True)
class Clause:
    """One `prop op value` of a `$filter`."""

    prop: str
    op: str
    value: str | datetime | None

    @property
    def advanced(self) -> bool:
        return self.prop in ADVANCED_ONLY or self.op == "ne"

    def holds(self, user: Mapping[str, Any]) -> bool:
        have = user.get(self.prop)
        if self.value is None:
            return (have is None) == (self.op == "eq")
        if have is None:
            return self.op == "ne"
        if isinstance(self.value, datetime):
            mine: Any = parse_stamp(str(have))
            wanted: Any = self.value
        else:
            mine, wanted = str(have).casefold(), self.value.casefold()
        return {
            "eq": mine == wanted,
            "ne": mine != wanted,
            "ge": mine >= wanted,
            "le": mine <= wanted,
        }[self.op]


def parse_stamp(text: str) -> datetime:
    """A DateTimeOffset as Graph writes it (`Z`, up to 7 decimals)."""
    if "." in text:
        head, tail = text.rstrip("Z").split(".", 1)
        text = f"{head}.{tail[:6]}Z"
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def parse_filter(text: str) -> list[Clause]:
    """`prop op value [and prop op value]...`; QueryError for anything else."""
    tokens = _TOKENS.findall(text)
    clauses: list[Clause] = []
    index = 0
    while True:
        if index + 3 > len(tokens):
            raise _invalid_filter(text)
        prop, op, raw = tokens[index : index + 3]
        clauses.append(_clause(canonical(prop), op.lower(), raw))
        index += 3
        if index == len(tokens):
            return clauses
        if tokens[index].lower() != "and":
            raise _invalid_filter(text)
        index += 1


def _clause(prop: str, op: str, raw: str) -> Clause:
    if op not in _OPERATORS:
        raise QueryError(
            400, "Request_UnsupportedQuery", f"Unsupported Query: operator '{op}' on '{prop}'."
        )
    if raw.lower() == "null":
        return Clause(prop, op, None)
    if prop in _DATES:
        if not _DATE_LITERAL.match(raw):
            raise QueryError(
                400,
                "BadRequest",
                "A binary operator with incompatible types was detected. Found operand types "
                f"'Edm.DateTimeOffset' and 'Edm.String' for operator kind '{op}'.",
            )
        return Clause(prop, op, parse_stamp(raw))
    if not (raw.startswith("'") and raw.endswith("'") and len(raw) >= 2):
        raise QueryError(400, "BadRequest", f"Invalid filter clause: '{raw}' is not a string.")
    return Clause(prop, op, raw[1:-1].replace("''", "'"))


def _invalid_filter(text: str) -> QueryError:
    return QueryError(400, "BadRequest", f"Invalid filter clause: {text}")


def needs_advanced(clauses: Iterable[Clause]) -> str | None:
    """The first property whose clause needs the advanced query parameters, if any."""
    return next((clause.prop for clause in clauses if clause.advanced), None)


def page_size(top: str | None, cap: int) -> int:
    """Users per page: `$top` (1..999), default 100, never above the stand-in's cap."""
    if top is None:
        return min(DEFAULT_PAGE, cap)
    try:
        wanted = int(top)
    except ValueError:
        wanted = 0
    if not 1 <= wanted <= MAX_TOP:
        raise QueryError(
            400,
            "Request_BadRequest",
            f"Invalid page size specified: '{top}'. Must be between 1 and {MAX_TOP} inclusive.",
        )
    return min(wanted, cap)


def link(base: str, path: str, params: Mapping[str, str]) -> str:
    """An absolute link as Graph writes one: OData `$` kept, spaces as %20."""
    query = "&".join(
        f"{quote(key, safe='$')}={quote(value, safe=',/()$:')}" for key, value in params.items()
    )
    return f"{base}{path}?{query}" if query else f"{base}{path}"


def new_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class ListPage:
    """What a `$skiptoken` of a `/users` query stands for: the rows still to send."""

    rows: list[dict[str, Any]]
    size: int
    count: int | None  # @odata.count to repeat, when asked for
    params: dict[str, str]  # the first request's query, for the next link


@dataclass
class DeltaState:
    """What a `$deltatoken` stands for: a point in the change log and the selection."""

    generation: int
    position: int
    select: tuple[str, ...] | None


@dataclass
class DeltaPage:
    """What a delta `$skiptoken` stands for: the entries still to send, then the new state."""

    generation: int
    rows: list[dict[str, Any]]
    final: DeltaState


@dataclass
class ChangeLog:
    """Every change to users, in order, and the tokens handed out over it.

    Each entry is (user id, the properties changed, or None for a removal with a reason).
    """

    entries: list[tuple[str, frozenset[str] | None, str]] = field(default_factory=list)
    generation: int = 0
    expired_status: int = 410
    deltas: dict[str, DeltaState] = field(default_factory=dict)
    delta_pages: dict[str, DeltaPage] = field(default_factory=dict)
    list_pages: dict[str, ListPage] = field(default_factory=dict)

    def changed(self, user_id: str, properties: Iterable[str]) -> None:
        self.entries.append((user_id, frozenset(properties), ""))

    def removed(self, user_id: str, reason: str) -> None:
        self.entries.append((user_id, None, reason))

    def expire(self, status: int) -> None:
        """Every delta link and page handed out so far stops working."""
        self.generation += 1
        self.expired_status = status

    def state_now(self, select: tuple[str, ...] | None) -> DeltaState:
        return DeltaState(self.generation, len(self.entries), select)

    def since(
        self,
        position: int,
        users_by_id: Mapping[str, Mapping[str, Any]],
        select: tuple[str, ...] | None,
        *,
        minimal: bool,
    ) -> list[dict[str, Any]]:
        """The delta entries for the changes after `position`, one per user, in the order
        they first changed."""
        changed: dict[str, set[str]] = {}
        removed: dict[str, str] = {}
        for user_id, properties, reason in self.entries[position:]:
            if properties is None:
                removed[user_id] = reason
                changed.setdefault(user_id, set())
            else:
                removed.pop(user_id, None)
                changed.setdefault(user_id, set()).update(properties)
        wanted = set(select or DEFAULT_PROPERTIES)
        rows: list[dict[str, Any]] = []
        for user_id, properties in changed.items():
            user = users_by_id.get(user_id)
            if user_id in removed or user is None:
                reason = removed.get(user_id, "deleted")
                rows.append({"id": user_id, "@removed": {"reason": reason}})
                continue
            shown = properties & wanted - {"id"}
            if not shown:
                continue  # only unselected properties changed: not in the answer
            if not minimal:
                shown = {name for name in wanted if name in user} - {"id"}
            rows.append({"id": user_id, **{name: user.get(name) for name in sorted(shown)}})
        return rows

    def full(
        self, users: Iterable[Mapping[str, Any]], select: tuple[str, ...] | None
    ) -> list[dict[str, Any]]:
        """The initial round: every user with the selected properties they have."""
        wanted = [name for name in (select or DEFAULT_PROPERTIES) if name != "id"]
        return [
            {"id": user["id"], **{name: user[name] for name in wanted if name in user}}
            for user in users
        ]
