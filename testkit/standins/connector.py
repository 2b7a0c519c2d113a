"""A Bot Connector stand-in on loopback: records what the bot posts, answers like Teams does."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

# A rule sees (method, path, body) and may return (status, headers) to answer instead of 2xx.
Rule = Callable[[str, str, dict[str, Any] | None], tuple[int, dict[str, str]] | None]


@dataclass
class Recorded:
    method: str
    path: str
    body: dict[str, Any] | None
    authorization: str | None


@dataclass
class ConnectorStandIn:
    """Serves the Bot Connector REST routes the bot uses and keeps every request."""

    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)
    url: str = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/v3/conversations{tail:.*}", self._handle)
        return app

    @property
    def sent(self) -> list[dict[str, Any]]:
        """Activities the bot posted (new messages and replies), in order."""
        return [r.body for r in self.requests if _is_activity_post(r) and r.body is not None]

    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards among what the bot posted."""
        found = []
        for activity in self.sent:
            for attachment in activity.get("attachments") or []:
                if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                    found.append(attachment["content"])
        return found

    async def wait_for_sent(self, count: int, within: float = 5.0) -> list[dict[str, Any]]:
        """Wait until the bot has posted at least `count` activities."""
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.sent) >= count), within)
        return self.sent

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else None
        for rule in self.rules:
            answer = rule(request.method, request.path, body)
            if answer is not None:
                status, headers = answer
                self.requests.append(
                    Recorded(
                        request.method, request.path, None, request.headers.get("Authorization")
                    )
                )
                return web.json_response(
                    {"error": {"code": str(status)}}, status=status, headers=headers
                )
        async with self._arrived:
            self.requests.append(
                Recorded(request.method, request.path, body, request.headers.get("Authorization"))
            )
            self._arrived.notify_all()
        if request.method == "GET" and "/members/" in request.path:
            member_id = request.match_info["tail"].rsplit("/", 1)[-1]
            member = self.members.get(member_id)
            return web.json_response(member) if member else web.json_response({}, status=404)
        if request.method == "POST" and request.path == "/v3/conversations":
            return web.json_response({"id": f"conv-{next(self._ids)}"}, status=201)
        if request.method == "DELETE":
            return web.Response(status=200)
        return web.json_response({"id": f"activity-{next(self._ids)}"}, status=201)


def _is_activity_post(recorded: Recorded) -> bool:
    """A new message (…/activities) or a reply (…/activities/{id}), not a new conversation."""
    parts = recorded.path.strip("/").split("/")
    return recorded.method == "POST" and len(parts) in (4, 5) and parts[3] == "activities"
