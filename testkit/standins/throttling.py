"""A Bot Connector stand-in that enforces Teams' rate limits and answers 429 + Retry-After.

It serves POST {base}/v3/conversations/{id}/activities like Teams does, keeps every request
with its arrival time, and counts deliveries by the marker the delivery worker puts in
channelData. Limits (sliding windows, as Teams publishes them): per conversation 7 in 1 s,
8 in 2 s, 60 in 30 s, 1,800 in an hour; per app and tenant 50 in 1 s. A request over a limit,
or sent before an announced Retry-After has passed, is refused with 429 and does not count.

Run alone (for bench/fanout.py):  python -m testkit.standins.throttling [--tenant-limit 50]
It prints its base URL on the first line of stdout; GET /_standin/stats returns the counts.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

# (window in seconds, most requests allowed in it)
Window = tuple[float, int]
TEAMS_CONVERSATION_LIMITS: tuple[Window, ...] = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
TEAMS_TENANT_LIMITS: tuple[Window, ...] = ((1.0, 50),)
MARKER_FIELD = "exitbotDelivery"  # outbox.markers.MARKER_FIELD, spelled out: a wire format

# A fault sees (conversation id, activity) and may return (status, headers) to answer instead.
Fault = Callable[[str, dict[str, Any]], tuple[int, dict[str, str]] | None]


@dataclass
class Arrival:
    at: float  # time.monotonic() when the request arrived
    conversation_id: str
    marker: str | None
    status: int
    limit: str | None = None  # which limit refused it ("tenant 1s/50", "retry-after", ...)
    activity_id: str | None = None


@dataclass
class _Scope:
    windows: tuple[Window, ...]
    times: list[float] = field(default_factory=list)
    blocked_until: float = 0.0

    def refusal(self, now: float) -> tuple[str, float] | None:
        """(which limit, seconds until it frees) if one more request now would exceed one."""
        if now < self.blocked_until:
            return "retry-after", self.blocked_until - now
        for seconds, most in self.windows:
            first = bisect.bisect_right(self.times, now - seconds)
            if len(self.times) - first + 1 > most:
                # The window frees when its oldest request in it leaves.
                return f"{seconds:g}s/{most}", self.times[first] + seconds - now
        return None

    def add(self, now: float) -> None:
        if not self.windows:
            return
        self.times.append(now)
        longest = max(seconds for seconds, _ in self.windows)
        if len(self.times) > 4096:
            del self.times[: bisect.bisect_right(self.times, now - longest)]


@dataclass
class ThrottlingConnector:
    """Records what arrives; refuses what Teams would refuse."""

    conversation_limits: tuple[Window, ...] | None = TEAMS_CONVERSATION_LIMITS
    tenant_limits: tuple[Window, ...] | None = TEAMS_TENANT_LIMITS
    latency: float = 0.0  # seconds before answering, like a real service far away
    # Requests of the app's other traffic counted against the tenant just before the first
    # request arrives (replies to people, say), to draw a 429 at a known moment.
    other_traffic_at_first_request: int = 0
    faults: list[Fault] = field(default_factory=list)
    arrivals: list[Arrival] = field(default_factory=list)
    activities: dict[str, dict[str, Any]] = field(default_factory=dict)
    _tenant: _Scope | None = None
    _conversations: dict[str, _Scope] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    def __post_init__(self) -> None:
        if self.tenant_limits is not None:
            self._tenant = _Scope(self.tenant_limits)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        app.router.add_get("/_standin/markers/{marker}", self._marker)
        app.router.add_get("/_standin/stats", self._stats)
        return app

    def preload(self, count: int, now: float | None = None) -> None:
        """Count `count` requests of other traffic of the app, arriving now."""
        at = time.monotonic() if now is None else now
        if self._tenant is not None:
            for _ in range(count):
                self._tenant.add(at)

    # --- what arrived ----------------------------------------------------------------------

    async def wait_for_delivered(self, count: int, within: float) -> None:
        """Wait until at least `count` requests have been answered 201."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.delivered) >= count), within
            )

    async def wait_for_arrivals(self, count: int, within: float) -> None:
        """Wait until at least `count` requests have arrived (answered or not)."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.arrivals) >= count), within
            )

    @property
    def delivered(self) -> list[Arrival]:
        """Requests answered 201, in arrival order."""
        return [a for a in self.arrivals if a.status == 201]

    @property
    def throttled(self) -> list[Arrival]:
        """Requests answered 429, in arrival order."""
        return [a for a in self.arrivals if a.status == 429]

    def marker_counts(self) -> dict[str, int]:
        """How often each marker was delivered."""
        counts: dict[str, int] = {}
        for arrival in self.delivered:
            if arrival.marker is not None:
                counts[arrival.marker] = counts.get(arrival.marker, 0) + 1
        return counts

    def stats(self) -> dict[str, Any]:
        """Counts for a report: delivered, throttled, duplicates, first and last delivery."""
        delivered = self.delivered
        counts = self.marker_counts()
        return {
            "delivered": len(delivered),
            "throttled": len(self.throttled),
            "distinct_markers": len(counts),
            "duplicates": sum(n - 1 for n in counts.values() if n > 1),
            "first_delivery": delivered[0].at if delivered else None,
            "last_delivery": delivered[-1].at if delivered else None,
            "over_limit_after_first_429": self.over_limit_after_first_429(),
        }

    def over_limit_after_first_429(self, grace: float = 0.0) -> int:
        """Requests refused for a limit (not a Retry-After) over `grace` s after the first 429."""
        refused = self.throttled
        if not refused:
            return 0
        since = refused[0].at + grace
        return sum(1 for a in refused[1:] if a.at > since and a.limit != "retry-after")

    # --- serving ---------------------------------------------------------------------------

    async def _post(self, request: web.Request) -> web.Response:
        response = await self._answer(request)
        async with self._arrived:
            self._arrived.notify_all()
        return response

    async def _answer(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        if not self.arrivals and self.other_traffic_at_first_request:
            self.preload(self.other_traffic_at_first_request, now)
        conversation_id = request.match_info["conversation"]
        activity = await request.json()
        channel_data = activity.get("channelData") or {}
        marker = channel_data.get(MARKER_FIELD) if isinstance(channel_data, dict) else None
        for fault in self.faults:
            answer = fault(conversation_id, activity)
            if answer is not None:
                status, headers = answer
                self.arrivals.append(Arrival(now, conversation_id, marker, status, "fault"))
                await self._wait()
                return web.json_response(
                    {"error": {"code": str(status)}}, status=status, headers=headers
                )
        scopes = [self._conversation(conversation_id)]
        if self._tenant is not None:
            scopes.append(self._tenant)
        refusals = [
            (scope, refusal) for scope in scopes if (refusal := scope.refusal(now)) is not None
        ]
        if refusals:
            limit = refusals[0][1][0]
            wait = max(refusal[1] for _, refusal in refusals)
            retry_after = max(1, math.ceil(wait))
            for scope, _ in refusals:
                scope.blocked_until = max(scope.blocked_until, now + retry_after)
            self.arrivals.append(Arrival(now, conversation_id, marker, 429, limit))
            await self._wait()
            return web.json_response(
                {"error": {"code": "Throttled"}},
                status=429,
                headers={"Retry-After": str(retry_after)},
            )
        for scope in scopes:
            scope.add(now)
        activity_id = f"1{next(self._ids):012d}"
        self.arrivals.append(Arrival(now, conversation_id, marker, 201, None, activity_id))
        if marker is not None:
            self.activities.setdefault(marker, {**activity, "id": activity_id})
        await self._wait()
        return web.json_response({"id": activity_id}, status=201)

    def _conversation(self, conversation_id: str) -> _Scope:
        scope = self._conversations.get(conversation_id)
        if scope is None:
            scope = _Scope(self.conversation_limits or ())
            self._conversations[conversation_id] = scope
        return scope

    async def _wait(self) -> None:
        if self.latency:
            await asyncio.sleep(self.latency)

    async def _marker(self, request: web.Request) -> web.Response:
        """Test-only look into the chats: was an activity with this marker delivered?"""
        found = self.activities.get(request.match_info["marker"])
        return web.json_response(
            {"delivered": found is not None, "activityId": found["id"] if found else None}
        )

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats())


async def _serve_forever(standin: ThrottlingConnector, port: int) -> None:
    runner = web.AppRunner(standin.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"http://127.0.0.1:{bound}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> None:
    """Serve the stand-in until killed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tenant-limit", type=int, default=50, help="requests per second")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    args = parser.parse_args()
    standin = ThrottlingConnector(tenant_limits=((1.0, args.tenant_limit),), latency=args.latency)
    asyncio.run(_serve_forever(standin, args.port))


if __name__ == "__main__":
    main()
