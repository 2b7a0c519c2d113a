"""A Microsoft Graph stand-in on loopback: the documented JSON shapes, and a request log.

It serves the handful of v1.0 calls the bot makes (users, manager, getSchedule, events,
cancel, teamwork installedApps and chat), checks the bearer token, and can be told to
answer the next requests with a status of choice (429 with Retry-After, 5xx, 403, ...).

Leave dates (issue 16): users carry `employeeLeaveDateTime`, `department` and other
attributes; `/users` answers `$filter`/`$select`/`$top` with `@odata.nextLink` pages and
`/users/delta` answers delta rounds from a change log (tests/people/standin_users.py has the
rules). Change users through `set_leave_date`, `set_attribute` and `remove_user` so that delta
links see it; `add_staff` adds a whole tenant at once.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiohttp import web

from tests.people.standin_users import (
    LEAVE_DATE,
    MAX_TOP,
    ChangeLog,
    DeltaPage,
    DeltaState,
    ListPage,
    QueryError,
    link,
    needs_advanced,
    new_token,
    page_size,
    parse_filter,
    parse_select,
    project,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Recorded:
    """One request as it arrived."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    at: float  # time.monotonic() on arrival


@dataclass
class Scripted:
    """An answer to give instead of the normal one."""

    status: int
    headers: dict[str, str]
    body: Any
    path_contains: str
    times: int
    delay_seconds: float = 0.0


def graph_error(status: int, code: str, message: str) -> web.Response:
    """An error in Graph's shape."""
    return web.json_response(
        {
            "error": {
                "code": code,
                "message": message,
                "innerError": {"request-id": str(uuid.uuid4()), "date": _now_stamp()},
            }
        },
        status=status,
    )


def _now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _stamp(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def _working_hours(days: list[str], start: str, end: str, zone: str) -> dict[str, Any]:
    """Graph's workingHours: times with seven decimals, the zone as {"name": ...}."""
    return {
        "daysOfWeek": days,
        "startTime": f"{start}:00.0000000",
        "endTime": f"{end}:00.0000000",
        "timeZone": {"name": zone},
    }


def _parse_utc(stamp: dict[str, str]) -> datetime:
    assert stamp["timeZone"] == "UTC", "the client should ask in UTC"
    return datetime.fromisoformat(stamp["dateTime"]).replace(tzinfo=UTC)


@dataclass
class GraphStandIn:
    """State of the pretend tenant plus what the client sent."""

    token: str = "graph-token-1"
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # by lower-case upn
    managers: dict[str, str] = field(default_factory=dict)  # upn -> manager upn
    schedule_items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    working_hours: dict[str, dict[str, Any]] = field(default_factory=dict)  # by lower-case upn
    # Mailboxes whose getSchedule answer has the availabilityView only, without the items
    # (what Graph sends when the caller may see free/busy but not the items).
    view_only: set[str] = field(default_factory=set)
    installations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # user id
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, set[str]] = field(default_factory=dict)  # user id -> group ids
    time_zones: dict[str, str] = field(default_factory=dict)  # user id -> mailbox time zone
    requests: list[Recorded] = field(default_factory=list)
    # Leave dates: the most users one page holds (Graph: $top up to 999), whether the app has
    # User-LifeCycleInfo.Read.All (else selecting or filtering employeeLeaveDateTime is a
    # 403), and where next/delta links point (None: at the stand-in itself).
    max_page_size: int = MAX_TOP
    leave_dates_allowed: bool = True
    link_base: str | None = None
    # Answer delta links with only the changed properties, as Graph does for a client that
    # sends `Prefer: return=minimal` (the client need not send it).
    delta_minimal: bool = False
    _script: list[Scripted] = field(default_factory=list)
    _log: ChangeLog = field(default_factory=ChangeLog)

    def add_user(
        self,
        upn: str,
        display_name: str,
        *,
        mail: str | None = None,
        language: str | None = None,
        manager: str | None = None,
        leave_date: date | datetime | str | None = None,
        department: str | None = None,
        attributes: Mapping[str, str | None] | None = None,
        user_id: str | None = None,
    ) -> dict[str, Any]:
        """Add a user; returns its Graph JSON. `leave_date` as for set_leave_date;
        `attributes` by Graph property name (companyName, employeeType, ...)."""
        user: dict[str, Any] = {
            "id": user_id or str(uuid.uuid4()),
            "displayName": display_name,
            "userPrincipalName": upn,
            "mail": mail or upn,
            "preferredLanguage": language,
        }
        if leave_date is not None:
            user[LEAVE_DATE] = leave_stamp(leave_date)
        if department is not None:
            user["department"] = department
        user.update(attributes or {})
        self.users[upn.lower()] = user
        if manager:
            self.managers[upn.lower()] = manager.lower()
        self._log.changed(user["id"], user)
        return user

    def add_staff(
        self,
        count: int,
        *,
        leavers: int = 0,
        first_leave_day: date | None = None,
        spread_days: int = 60,
        departments: Sequence[str] = ("Hjemmeplejen",),
        manager: str | None = None,
        domain: str = "contoso.example",
    ) -> list[dict[str, Any]]:
        """`count` users staff00001@domain..., of whom `leavers` (spread evenly through the
        tenant) have leave dates from `first_leave_day` over `spread_days` days; departments
        taken in turn (by the leavers among themselves too). Returns the leavers' JSON."""
        if leavers and first_leave_day is None:
            raise ValueError("leavers need a first_leave_day")
        step = count // leavers if leavers else 0
        chosen: list[dict[str, Any]] = []
        for number in range(1, count + 1):
            leaving = bool(step) and number % step == 0 and len(chosen) < leavers
            day = None
            if leaving and first_leave_day is not None:
                day = first_leave_day + timedelta(days=len(chosen) % max(spread_days, 1))
            user = self.add_user(
                f"staff{number:05d}@{domain}",
                f"Staff {number:05d}",
                language="da-DK",
                manager=manager,
                leave_date=day,
                department=departments[(len(chosen) if leaving else number) % len(departments)],
            )
            if leaving:
                chosen.append(user)
        return chosen

    def user_id(self, upn: str) -> str:
        """The object id of the user with this UPN."""
        return str(self.users[upn.lower()]["id"])

    def set_leave_date(self, upn: str, day: date | datetime | str | None) -> None:
        """Set (a date: that day 23:59:59Z, as HR provisioning writes it; a datetime; or
        Graph's string as is) or clear (None) the user's employeeLeaveDateTime."""
        self.set_attribute(upn, LEAVE_DATE, None if day is None else leave_stamp(day))

    def set_attribute(self, upn: str, name: str, value: str | None) -> None:
        """Set or clear (None) one property, as HR's system would; delta links see it."""
        user = self.users[upn.lower()]
        user[name] = value
        self._log.changed(user["id"], {name})

    def remove_user(self, upn: str, *, permanently: bool = False) -> None:
        """Delete the user: delta shows `@removed` with reason `changed` (restorable from
        deleted items) or `deleted` (permanently)."""
        user = self.users.pop(upn.lower())
        self.managers.pop(upn.lower(), None)
        self._log.removed(user["id"], "deleted" if permanently else "changed")

    def expire_delta_links(self, *, status: int = 410) -> None:
        """Every delta link (and delta page) handed out so far stops working: 410 Gone with a
        Location to start over (Graph's synchronization reset), or `status=400`:
        syncStateNotFound, a token past its seven days."""
        if status not in (400, 410):
            raise ValueError("Graph answers an expired delta link with 410 or 400")
        self._log.expire(status)

    def add_busy(self, upn: str, start: datetime, end: datetime, status: str = "busy") -> None:
        """A schedule item as getSchedule reports it."""
        self.schedule_items.setdefault(upn.lower(), []).append(
            {
                "isPrivate": False,
                "status": status,
                "subject": "Private appointment",
                "location": "",
                "start": _stamp(start.astimezone(UTC)),
                "end": _stamp(end.astimezone(UTC)),
            }
        )

    def set_working_hours(
        self, upn: str, days: list[str], start: str, end: str, zone: str = "Romance Standard Time"
    ) -> None:
        """The person's working hours in Outlook, as getSchedule reports them (HH:MM, a
        Windows zone name); everyone else works Monday to Friday 08:00-17:00."""
        self.working_hours[upn.lower()] = _working_hours(days, start, end, zone)

    def answer_next(
        self,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        body: Any = None,
        path_contains: str = "",
        delay_seconds: float = 0.0,
    ) -> None:
        """Answer the next `times` matching requests with `status` instead."""
        self._script.append(
            Scripted(status, headers or {}, body, path_contains, times, delay_seconds)
        )

    def requests_to(self, fragment: str) -> list[Recorded]:
        return [request for request in self.requests if fragment in request.path]

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._record, self._scripted, self._auth])
        base = "/v1.0"
        app.router.add_get(f"{base}/users", self._list_users)
        app.router.add_get(f"{base}/users/delta", self._delta)
        app.router.add_get(f"{base}/users/{{key}}", self._get_user)
        app.router.add_get(f"{base}/users/{{key}}/manager", self._get_manager)
        app.router.add_post(f"{base}/users/{{key}}/calendar/getSchedule", self._get_schedule)
        app.router.add_post(f"{base}/users/{{key}}/events", self._create_event)
        app.router.add_post(f"{base}/users/{{key}}/events/{{event}}/cancel", self._cancel_event)
        app.router.add_post(f"{base}/users/{{key}}/checkMemberGroups", self._check_groups)
        app.router.add_get(f"{base}/users/{{key}}/mailboxSettings/timeZone", self._time_zone)
        app.router.add_post(f"{base}/users/{{key}}/teamwork/installedApps", self._install)
        app.router.add_get(f"{base}/users/{{key}}/teamwork/installedApps", self._list_installs)
        app.router.add_get(
            f"{base}/users/{{key}}/teamwork/installedApps/{{installation}}/chat", self._chat
        )
        return app

    # --- middlewares -------------------------------------------------------------------

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body = await request.json() if request.can_read_body else None
        self.requests.append(
            Recorded(
                request.method,
                request.path,
                dict(request.query),
                dict(request.headers),
                body,
                time.monotonic(),
            )
        )
        return await handler(request)

    @web.middleware
    async def _scripted(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        for entry in self._script:
            if entry.times > 0 and entry.path_contains in request.path:
                entry.times -= 1
                if entry.delay_seconds:
                    await asyncio.sleep(entry.delay_seconds)
                if entry.status < 300:
                    return await handler(request)
                if entry.body is None:
                    code = {429: "TooManyRequests", 403: "Forbidden", 404: "NotFound"}
                    response = graph_error(
                        entry.status, code.get(entry.status, "generalException"), "scripted"
                    )
                else:
                    response = web.json_response(entry.body, status=entry.status)
                response.headers.update(entry.headers)
                return response
        return await handler(request)

    @web.middleware
    async def _auth(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return graph_error(401, "InvalidAuthenticationToken", "Access token is invalid.")
        return await handler(request)

    # --- users -------------------------------------------------------------------------

    def _user(self, key: str) -> dict[str, Any] | None:
        key = key.lower()
        if key in self.users:
            return self.users[key]
        return next((user for user in self.users.values() if user["id"] == key), None)

    def _selected(self, request: web.Request, user: dict[str, Any]) -> web.Response:
        fields = request.query.get("$select", "").split(",")
        shown = {name: user.get(name) for name in fields if name} or dict(user)
        context = "https://graph.microsoft.com/v1.0/$metadata#users/$entity"
        return web.json_response({"@odata.context": context, **shown})

    async def _get_user(self, request: web.Request) -> web.Response:
        user = self._user(request.match_info["key"])
        if user is None:
            return graph_error(
                404,
                "Request_ResourceNotFound",
                f"Resource '{request.match_info['key']}' does not exist or one of its "
                "queried reference-property objects are not present.",
            )
        return self._selected(request, user)

    async def _list_users(self, request: web.Request) -> web.Response:
        # https://learn.microsoft.com/graph/api/user-list
        try:
            return self._list_page(request)
        except QueryError as problem:
            return graph_error(problem.status, problem.code, problem.message)

    def _list_page(self, request: web.Request) -> web.Response:
        query = request.query
        token = _option(query, "$skiptoken")
        if token is not None:
            page = self._log.list_pages.get(token)
            if page is None:
                raise QueryError(400, "Request_BadRequest", "Invalid or expired $skiptoken.")
        else:
            select = parse_select(_option(query, "$select"))
            clauses = parse_filter(query["$filter"]) if "$filter" in query else []
            advanced = (
                request.headers.get("ConsistencyLevel", "").lower() == "eventual"
                and (_option(query, "$count") or "").lower() == "true"
            )
            needing = needs_advanced(clauses)
            if needing is not None and not advanced:
                raise QueryError(
                    400,
                    "Request_UnsupportedQuery",
                    f"Unsupported or invalid query filter clause specified for property "
                    f"'{needing}' of resource 'User'.",
                )
            looked_at = {*(select or ()), *(clause.prop for clause in clauses)}
            self._check_leave_dates_allowed(looked_at)
            rows = [
                project(user, select)
                for user in self.users.values()
                if all(clause.holds(user) for clause in clauses)
            ]
            page = ListPage(
                rows=rows,
                size=page_size(_option(query, "$top"), self.max_page_size),
                count=len(rows) if advanced else None,
                params=dict(query),
            )
        body: dict[str, Any] = {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users"
        }
        if page.count is not None:
            body["@odata.count"] = page.count
        body["value"] = page.rows[: page.size]
        rest = page.rows[page.size :]
        if rest:
            next_token = new_token()
            self._log.list_pages[next_token] = ListPage(rest, page.size, page.count, page.params)
            params = {**page.params, "$skiptoken": next_token}
            body["@odata.nextLink"] = link(self._links(request), "/users", params)
        return web.json_response(body)

    async def _delta(self, request: web.Request) -> web.Response:
        # https://learn.microsoft.com/graph/api/user-delta
        try:
            return self._delta_page(request)
        except QueryError as problem:
            response = graph_error(problem.status, problem.code, problem.message)
            if isinstance(problem, _Resync):
                # The initial query again, with the link's selection and an empty token.
                restart = {"$deltatoken": ""}
                if problem.select:
                    restart["$select"] = ",".join(problem.select)
                response.headers["Location"] = link(self._links(request), "/users/delta", restart)
            return response

    def _delta_page(self, request: web.Request) -> web.Response:
        log = self._log
        query = request.query
        skip, delta = _option(query, "$skiptoken"), _option(query, "$deltatoken")
        prefer = request.headers.get("Prefer", "").replace(" ", "")
        minimal = self.delta_minimal or "return=minimal" in prefer
        if skip is not None:
            page = log.delta_pages.get(skip)
            if page is None:
                raise _sync_state_not_found()
            self._check_current(page.generation, page.final.select)
            rows, final = page.rows, page.final
        elif delta is not None and delta not in ("", "latest"):
            state = log.deltas.get(delta)
            if state is None:
                raise _sync_state_not_found()
            self._check_current(state.generation, state.select)
            self._check_leave_dates_allowed(state.select or ())
            by_id = {user["id"]: user for user in self.users.values()}
            rows = log.since(state.position, by_id, state.select, minimal=minimal)
            final = log.state_now(state.select)
        else:
            select = parse_select(_option(query, "$select"))
            self._check_leave_dates_allowed(select or ())
            rows = [] if delta == "latest" else log.full(self.users.values(), select)
            final = log.state_now(select)
        body: dict[str, Any] = {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
            "value": rows[: self._delta_page_size],
        }
        rest = rows[self._delta_page_size :]
        if rest:
            token = new_token()
            log.delta_pages[token] = DeltaPage(final.generation, rest, final)
            body["@odata.nextLink"] = link(
                self._links(request), "/users/delta", {"$skiptoken": token}
            )
        else:
            token = new_token()
            log.deltas[token] = DeltaState(final.generation, final.position, final.select)
            body["@odata.deltaLink"] = link(
                self._links(request), "/users/delta", {"$deltatoken": token}
            )
        return web.json_response(body)

    @property
    def _delta_page_size(self) -> int:
        return min(200, self.max_page_size)

    def _check_current(self, generation: int, select: tuple[str, ...] | None) -> None:
        if generation == self._log.generation:
            return
        if self._log.expired_status == 410:
            raise _Resync(select)
        raise _sync_state_not_found()

    def _check_leave_dates_allowed(self, properties: Any) -> None:
        if LEAVE_DATE in properties and not self.leave_dates_allowed:
            raise QueryError(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            )

    def _links(self, request: web.Request) -> str:
        return self.link_base or f"{request.url.origin()}/v1.0"

    async def _get_manager(self, request: web.Request) -> web.Response:
        user = self._user(request.match_info["key"])
        manager_upn = self.managers.get(user["userPrincipalName"].lower()) if user else None
        if manager_upn is None:
            return graph_error(404, "Request_ResourceNotFound", "Resource 'manager' not found.")
        response = self._selected(request, self.users[manager_upn])
        return response

    # --- calendar ----------------------------------------------------------------------

    async def _get_schedule(self, request: web.Request) -> web.Response:
        body = await request.json()
        start, end = _parse_utc(body["startTime"]), _parse_utc(body["endTime"])
        interval = timedelta(minutes=int(body.get("availabilityViewInterval", 30)))
        values = []
        for address in body["schedules"]:
            if self._user(address) is None:
                values.append(
                    {
                        "scheduleId": address,
                        "availabilityView": "",
                        "error": {
                            "message": "The user or resource was not found.",
                            "responseCode": "ErrorMailRecipientNotFound",
                        },
                    }
                )
                continue
            items = [
                item
                for item in self.schedule_items.get(address.lower(), [])
                if _parse_utc(item["start"]) < end and start < _parse_utc(item["end"])
            ]
            view = ""
            cursor = start
            while cursor < end:
                marks = [
                    {"tentative": "1", "busy": "2", "oof": "3", "workingElsewhere": "4"}.get(
                        item["status"], "0"
                    )
                    for item in items
                    if _parse_utc(item["start"]) < cursor + interval
                    and cursor < _parse_utc(item["end"])
                ]
                view += max(marks, default="0")
                cursor += interval
            values.append(
                {
                    "scheduleId": address,
                    "availabilityView": view,
                    **({} if address.lower() in self.view_only else {"scheduleItems": items}),
                    "workingHours": self.working_hours.get(address.lower())
                    or _working_hours(
                        ["monday", "tuesday", "wednesday", "thursday", "friday"],
                        "08:00",
                        "17:00",
                        "Romance Standard Time",
                    ),
                }
            )
        context = (
            "https://graph.microsoft.com/v1.0/$metadata"
            "#Collection(microsoft.graph.scheduleInformation)"
        )
        return web.json_response({"@odata.context": context, "value": values})

    async def _create_event(self, request: web.Request) -> web.Response:
        organizer = self._user(request.match_info["key"])
        if organizer is None:
            return graph_error(404, "ErrorInvalidUser", "The requested user is invalid.")
        body = await request.json()
        event_id = "AAMkAGI2T" + uuid.uuid4().hex
        thread = uuid.uuid4().hex
        join_url = (
            f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{thread}%40thread.v2/0"
            "?context=%7b%22Tid%22%3a%22tenant%22%7d"
        )
        event = {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('x')/events/$entity",
            "id": event_id,
            "subject": body.get("subject"),
            "body": body.get("body"),
            "start": body.get("start"),
            "end": body.get("end"),
            "attendees": [
                {**attendee, "status": {"response": "none", "time": "0001-01-01T00:00:00Z"}}
                for attendee in body.get("attendees", [])
            ],
            "organizer": {
                "emailAddress": {"name": organizer["displayName"], "address": organizer["mail"]}
            },
            "location": body.get("location") or {"displayName": ""},
            "isOnlineMeeting": body.get("isOnlineMeeting", False),
            "onlineMeetingProvider": body.get("onlineMeetingProvider", "unknown"),
            "onlineMeeting": {"joinUrl": join_url} if body.get("isOnlineMeeting") else None,
            "webLink": f"https://outlook.office365.com/owa/?itemid={event_id}&exvsurl=1&path=/calendar/item",
            "transactionId": body.get("transactionId"),
        }
        self.events[event_id] = event
        return web.json_response(event, status=201)

    async def _cancel_event(self, request: web.Request) -> web.Response:
        if self.events.pop(request.match_info["event"], None) is None:
            return graph_error(404, "ErrorItemNotFound", "The specified object was not found.")
        return web.Response(status=202)

    # --- teamwork ----------------------------------------------------------------------

    async def _time_zone(self, request: web.Request) -> web.Response:
        # https://learn.microsoft.com/graph/api/user-get-mailboxsettings
        user = self._user(request.match_info["key"])
        if user is None:
            return graph_error(404, "ResourceNotFound", "User not found.")
        zone = self.time_zones.get(user["id"])
        if zone is None:  # a user without an Exchange Online mailbox
            return graph_error(404, "MailboxNotEnabledForRESTAPI", "Mailbox is not enabled.")
        return web.json_response(
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('"
                + user["id"]
                + "')/mailboxSettings/timeZone",
                "value": zone,
            }
        )

    async def _check_groups(self, request: web.Request) -> web.Response:
        # https://learn.microsoft.com/graph/api/directoryobject-checkmembergroups
        user = self._user(request.match_info["key"])
        if user is None:
            return graph_error(404, "Request_ResourceNotFound", "Resource does not exist.")
        asked = (await request.json())["groupIds"]
        if not isinstance(asked, list) or len(asked) > 20:
            return graph_error(400, "Request_BadRequest", "groupIds: 1 to 20 ids.")
        member_of = self.groups.get(user["id"], set())
        return web.json_response(
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)",
                "value": [group for group in asked if group in member_of],
            }
        )

    async def _install(self, request: web.Request) -> web.Response:
        user = self._user(request.match_info["key"])
        if user is None:
            return graph_error(404, "NotFound", "User not found.")
        body = await request.json()
        app_id = body["teamsApp@odata.bind"].rsplit("/", 1)[-1]
        installs = self.installations.setdefault(user["id"], [])
        if any(install["teamsApp"]["id"] == app_id for install in installs):
            return graph_error(409, "Conflict", "App is already installed.")
        installs.append(
            {
                "id": f"{uuid.uuid4().hex}/{app_id}=",  # base64-like, with `/` and `=`
                "teamsApp": {"id": app_id, "displayName": "Exit conversations"},
                "chatId": f"19:{user['id']}_{app_id}@unq.gbl.spaces",
            }
        )
        return web.Response(status=201)

    async def _list_installs(self, request: web.Request) -> web.Response:
        user = self._user(request.match_info["key"])
        if user is None:
            return graph_error(404, "NotFound", "User not found.")
        wanted = request.query.get("$filter", "")
        prefix = "teamsApp/id eq '"
        assert wanted.startswith(prefix), wanted
        app_id = wanted[len(prefix) : -1]
        assert request.query.get("$expand") == "teamsApp"
        found = [
            {"id": install["id"], "teamsApp": install["teamsApp"]}
            for install in self.installations.get(user["id"], [])
            if install["teamsApp"]["id"] == app_id
        ]
        return web.json_response({"value": found})

    async def _chat(self, request: web.Request) -> web.Response:
        user = self._user(request.match_info["key"])
        installs = self.installations.get(user["id"], []) if user else []
        for install in installs:
            if install["id"] == request.match_info["installation"]:
                context = "https://graph.microsoft.com/v1.0/$metadata#chats/$entity"
                return web.json_response({"@odata.context": context, "id": install["chatId"]})
        return graph_error(404, "NotFound", "Installation not found.")


def leave_stamp(day: date | datetime | str) -> str:
    """employeeLeaveDateTime as Graph writes it: a date at 23:59:59Z, a datetime in UTC."""
    if isinstance(day, str):
        return day
    if isinstance(day, datetime):
        return day.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{day.isoformat()}T23:59:59Z"


def _option(query: Mapping[str, str], name: str) -> str | None:
    """An OData system query option; Graph reads `$skipToken` as `$skiptoken`."""
    wanted = name.lower()
    return next((value for key, value in query.items() if key.lower() == wanted), None)


class _Resync(QueryError):
    """410 Gone: the delta link no longer works; start again (Location says how)."""

    def __init__(self, select: tuple[str, ...] | None) -> None:
        super().__init__(410, "resyncRequired", "A resync is required.")
        self.select = select


def _sync_state_not_found() -> QueryError:
    return QueryError(
        400,
        "syncStateNotFound",
        "The sync state generation is not found. The delta token is expired and data must "
        "be synchronized again.",
    )


@asynccontextmanager
async def serving(standin: GraphStandIn) -> AsyncIterator[str]:
    """Run the stand-in on a free loopback port; yields its Graph base URL (…/v1.0)."""
    runner = web.AppRunner(standin.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/v1.0"
    finally:
        await runner.cleanup()
