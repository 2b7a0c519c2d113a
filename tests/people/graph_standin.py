"""A Microsoft Graph stand-in on loopback: the documented JSON shapes, and a request log.

It serves the handful of v1.0 calls the bot makes (users, manager, getSchedule, events,
cancel, teamwork installedApps and chat), checks the bearer token, and can be told to
answer the next requests with a status of choice (429 with Retry-After, 5xx, 403, ...).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

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
    _script: list[Scripted] = field(default_factory=list)

    def add_user(
        self,
        upn: str,
        display_name: str,
        *,
        mail: str | None = None,
        language: str | None = None,
        manager: str | None = None,
    ) -> dict[str, Any]:
        """Add a user; returns its Graph JSON."""
        user = {
            "id": str(uuid.uuid4()),
            "displayName": display_name,
            "userPrincipalName": upn,
            "mail": mail or upn,
            "preferredLanguage": language,
        }
        self.users[upn.lower()] = user
        if manager:
            self.managers[upn.lower()] = manager.lower()
        return user

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
        wanted = request.query.get("$filter", "")
        prefix = "mail eq '"
        assert wanted.startswith(prefix) and wanted.endswith("'"), wanted
        mail = wanted[len(prefix) : -1].replace("''", "'").lower()
        fields = request.query.get("$select", "").split(",")
        found = [
            {name: user.get(name) for name in fields}
            for user in self.users.values()
            if (user.get("mail") or "").lower() == mail
        ]
        return web.json_response(
            {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": found}
        )

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
