"""HTTP endpoints: the Bot Connector's messages and the health check."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.activity_input import BodyRefused, read_activity
from bot.adapter import ChannelRefused, DuplicateActivity, SenderMismatch, TenantRefused
from bot.auth import AuthUnavailable, Unauthorized
from bot.typedefs import ADAPTER, BOT, CONFIG, DATABASE
from storage.outage import database_unavailable
from storage.turns import TurnInProgress

log = logging.getLogger(__name__)

# Teams retries an activity answered 503; a database outage usually passes within seconds.
RETRY_AFTER_SECONDS = 5


def _problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _unavailable(message: str) -> web.Response:
    return web.json_response(
        {"error": message}, status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )


async def messages(request: web.Request) -> web.Response:
    """POST /api/messages: one activity from the Bot Connector."""
    if request.content_type != "application/json":
        return _problem(415, "expected application/json")
    raw = await request.read()  # raises 413 past client_max_size
    try:
        activity = read_activity(raw)  # bounded depth, every string cleaned
    except BodyRefused as exc:
        return _problem(400, str(exc))

    adapter, bot = request.app[ADAPTER], request.app[BOT]
    try:
        response = await adapter.process(
            request.headers.get("Authorization"), activity, bot.on_turn
        )
    except Unauthorized as exc:
        log.warning("refused an activity: %s", exc)
        return _problem(401, "unauthorized")
    except AuthUnavailable as exc:
        log.error("cannot check tokens: %s", exc)
        return _problem(503, "cannot check tokens right now")
    except TenantRefused:
        log.warning("refused an activity from another tenant")
        return _problem(403, "this bot serves another tenant")
    except ChannelRefused as exc:
        log.warning("refused an activity from the channel %r (EXITBOT_CHANNELS)", str(exc)[:64])
        return _problem(403, "this bot does not accept activities from this channel")
    except SenderMismatch as exc:
        log.warning("refused a %r: its sender ids contradict a stored person", str(exc)[:64])
        return _problem(403, "the sender's Teams user id and Entra object id do not match")
    except DuplicateActivity:
        log.info("dropped a re-sent activity")
        return web.Response(status=200)
    except TurnInProgress:
        log.info("an activity was re-sent while its turn runs; asked to retry")
        return _unavailable("this activity is being handled; try again")
    except Exception as exc:
        if not database_unavailable(exc):
            raise
        # Nothing of the turn is recorded as seen: Teams' retry runs it.
        log.warning("the database is unavailable: %s", type(exc).__name__)
        return _unavailable("the database is unavailable; try again")
    if response is not None:
        return web.json_response(response.body, status=response.status)
    return web.Response(status=200)


async def healthz(request: web.Request) -> web.Response:
    """GET /healthz: database reachable and the configuration version in use."""
    database = request.app[DATABASE]
    try:
        async with asyncio.timeout(3):
            reachable = await database.is_reachable()
    except TimeoutError:
        reachable = False
    body = {
        "status": "ok" if reachable else "degraded",
        "database": "reachable" if reachable else "unreachable",
        "config_version": request.app[CONFIG].current.version,
    }
    return web.json_response(body, status=200 if reachable else 503)


def add_routes(app: web.Application) -> None:
    """The Bot Connector's endpoint and the health check."""
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
