"""Leave dates from Microsoft Entra ID through Graph v1.0 (journey.leave_dates.LeaveDateSource).

Calls, all with User.Read.All plus User-LifeCycleInfo.Read.All (without the latter Graph answers
403 and this raises LeaveDatesNotAllowed):

- `with_leave_dates`: `GET /users?$filter=employeeLeaveDateTime ge <day>T00:00:00Z` with
  `$select`, `$top=999` and every `@odata.nextLink`. employeeLeaveDateTime, like
  employeeHireDate, is filtered only as an *advanced query* (learn.microsoft.com/graph/
  aad-advanced-queries): the request carries the `ConsistencyLevel: eventual` header and
  `$count=true`, without which Graph answers 400 Request_UnsupportedQuery. Advanced queries are
  eventually consistent; a leave date written a moment ago shows in the next check.
- `start_delta`: `GET /users/delta?$select=...&$deltatoken=latest`: a delta link for the state
  now without reading the tenant ("sync from now").
- `changes`: the delta link and every `@odata.nextLink` until the `@odata.deltaLink` for next
  time. Graph sends each changed user with at least the changed properties (by default the
  selected properties the user has ever had); a property left out is unchanged
  (`leave_date_given=False` for the leave date), a deleted user comes with `@removed`. A user
  listed more than once in a round is merged, later values winning. 410 Gone (Graph's
  synchronization reset) and 400 `syncStateNotFound` (a token past its seven days) raise
  ResyncNeeded.

The leave date is the UTC calendar date of employeeLeaveDateTime as Graph gives it:
"2027-01-31T23:59:59Z" is 2027-01-31, and so is "2027-01-31T00:00:00Z". (HR systems write
the last day at 23:59:59Z or at midnight UTC; a time zone of the leaver's would move a
midnight value a day back in the Americas, so none is applied.)

Graph's links are followed only under the client's own base URL (GraphClient.follow), and 429
and 5xx answers are retried there, Retry-After honoured. Nothing here logs a name or a date.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from journey.leave_dates import (
    Changes,
    EntraUser,
    LeaveDatesNotAllowed,
    ResyncNeeded,
)
from journey.people import DirectoryUnavailable
from people.graph_client import GraphClient, GraphResponse

log = logging.getLogger(__name__)

LEAVE_DATE = "employeeLeaveDateTime"
# What every read selects besides HR's attributes.
PERSON_FIELDS = ("id", "userPrincipalName", "displayName", "mail", "preferredLanguage", LEAVE_DATE)
# Graph property names (and extension_<app>_<name>): nothing else goes into a $select.
_PROPERTY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,119}$")
ADVANCED_QUERY = {"ConsistencyLevel": "eventual"}
PAGE_SIZE = 999  # the most Graph gives per page of users
MAX_PAGES = 10_000  # a loop guard: 9.99 million users
_RESYNC_CODES = frozenset({"syncstatenotfound", "resyncrequired", "syncstateinvalid"})


class GraphLeaveDates:
    """Implements journey.leave_dates.LeaveDateSource on one GraphClient."""

    def __init__(self, client: GraphClient) -> None:
        self._client = client

    async def start_delta(self, attributes: tuple[str, ...]) -> str:
        """A delta link for now, selecting the person's fields, the leave date and
        `attributes`; no user is read."""
        response = await self._client.request(
            "GET",
            "/users/delta",
            params={"$select": select(attributes), "$deltatoken": "latest"},
        )
        for _ in range(MAX_PAGES):
            body = _page(response, "starting a delta round")
            delta_link = body.get("@odata.deltaLink")
            if isinstance(delta_link, str):
                return delta_link
            response = await self._client.follow(_next_link(response, body))
        raise DirectoryUnavailable("Microsoft Graph gave no delta link")

    async def with_leave_dates(
        self, first_day: date, attributes: tuple[str, ...]
    ) -> list[EntraUser]:
        """Every user whose employeeLeaveDateTime is on or after `first_day` (00:00 UTC)."""
        response = await self._client.request(
            "GET",
            "/users",
            params={
                "$filter": f"{LEAVE_DATE} ge {first_day.isoformat()}T00:00:00Z",
                "$select": select(attributes),
                "$top": str(PAGE_SIZE),
                "$count": "true",
            },
            headers=ADVANCED_QUERY,
        )
        users: list[EntraUser] = []
        for _ in range(MAX_PAGES):
            body = _page(response, "reading leave dates")
            users += [entra_user(entry, attributes) for entry in _values(response, body)]
            if "@odata.nextLink" not in body:
                return users
            response = await self._client.follow(_next_link(response, body), headers=ADVANCED_QUERY)
        raise DirectoryUnavailable("Microsoft Graph kept giving pages of leave dates")

    async def changes(self, delta_link: str) -> Changes:
        """The users changed since `delta_link`, every page, and the link for next time."""
        merged: dict[str, dict[str, Any]] = {}
        response = await self._client.follow(delta_link)
        for _ in range(MAX_PAGES):
            body = _page(response, "reading changes")
            for entry in _values(response, body):
                _merge(merged, entry)
            delta_next = body.get("@odata.deltaLink")
            if isinstance(delta_next, str):
                # The link selects HR's attributes (start_delta): every other property is one.
                users = [entra_user(entry) for entry in merged.values()]
                return Changes(users=users, delta_link=delta_next)
            response = await self._client.follow(_next_link(response, body))
        raise DirectoryUnavailable("Microsoft Graph kept giving pages of changes")


def select(attributes: Iterable[str]) -> str:
    """The `$select` of every read: the person's fields, the leave date, HR's attributes."""
    names = list(PERSON_FIELDS)
    for name in attributes:
        if not _PROPERTY.match(name):
            raise ValueError(f"not a Graph property name: {name!r}")
        if name not in names:
            names.append(name)
    return ",".join(names)


def leave_date_of(value: str) -> date:
    """The UTC date of an employeeLeaveDateTime ("2027-01-31T23:59:59Z" → 2027-01-31)."""
    text = value.strip()
    if "." in text:  # Graph may write up to seven decimals; Python reads six
        head, _, tail = text.partition(".")
        digits = re.match(r"\d*", tail)
        kept = digits.group(0) if digits else ""
        text = f"{head}.{kept[:6].ljust(6, '0')}{tail[len(kept) :]}"
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # DateTimeOffset is UTC in Graph
    return moment.astimezone(UTC).date()


def entra_user(entry: Mapping[str, Any], attributes: Iterable[str] | None = None) -> EntraUser:
    """One user of a Graph answer as the domain sees it: `attributes` by name, or (None)
    every property besides the person's fields and annotations. A key missing from a delta
    entry means unchanged: the leave date is then not given, an attribute left out."""
    ident = entry.get("id")
    if not isinstance(ident, str) or not ident:
        raise DirectoryUnavailable("Microsoft Graph sent a user without an id")
    if "@removed" in entry:
        return EntraUser(id=ident, removed=True, leave_date_given=False)
    given = LEAVE_DATE in entry
    leave_date = None
    raw = entry.get(LEAVE_DATE)
    if isinstance(raw, str) and raw.strip():
        try:
            leave_date = leave_date_of(raw)
        except ValueError:
            # Never seen from Graph; the user's leave date is then left as it was.
            log.warning("unreadable employeeLeaveDateTime for user %s; ignored", ident)
            given = False
    return EntraUser(
        id=ident,
        upn=_text(entry.get("userPrincipalName")) or "",
        display_name=_text(entry.get("displayName")) or "",
        mail=_text(entry.get("mail")),
        preferred_language=_text(entry.get("preferredLanguage")),
        leave_date=leave_date,
        leave_date_given=given,
        attributes={
            name: value
            for name in (_extra(entry) if attributes is None else attributes)
            if (value := _attribute(entry.get(name))) is not None
        },
    )


def _extra(entry: Mapping[str, Any]) -> list[str]:
    return [name for name in entry if name not in PERSON_FIELDS and "@" not in name]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _attribute(value: Any) -> str | None:
    """A string attribute as is; a number or boolean as text; null and objects left out."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return _text(value)


def _merge(merged: dict[str, dict[str, Any]], entry: Any) -> None:
    """Fold one delta entry into what the round has said of that user so far."""
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise DirectoryUnavailable("Microsoft Graph sent a change without a user id")
    earlier = merged.get(entry["id"])
    if earlier is None or "@removed" in entry:
        merged[entry["id"]] = dict(entry)
    elif "@removed" in earlier:
        merged[entry["id"]] = dict(entry)  # removed, then back (restored)
    else:
        earlier.update(entry)


def _page(response: GraphResponse, what: str) -> dict[str, Any]:
    """The body of a page of users, or the right error for Graph's answer."""
    if response.status == 403:
        raise LeaveDatesNotAllowed(
            "Microsoft Graph refused to read leave dates (403): grant the app "
            "User-LifeCycleInfo.Read.All"
        )
    if response.status == 410 or (
        response.status in (400, 404) and (response.error_code or "").lower() in _RESYNC_CODES
    ):
        raise ResyncNeeded(f"{what}: Microsoft Graph asks for a full read ({response.status})")
    if not response.ok:
        raise response.unexpected(what)
    if not isinstance(response.body, dict):
        raise response.unexpected(f"{what}: an answer without a body")
    return response.body


def _values(response: GraphResponse, body: Mapping[str, Any]) -> list[Any]:
    values = body.get("value")
    if not isinstance(values, list):
        raise response.unexpected("a page of users without a value list")
    return values


def _next_link(response: GraphResponse, body: Mapping[str, Any]) -> str:
    next_link = body.get("@odata.nextLink")
    if not isinstance(next_link, str) or not next_link:
        raise response.unexpected("a page with neither a next link nor a delta link")
    return next_link
