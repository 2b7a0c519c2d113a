"""HTTP endpoints: the Bot Connector's messages and the health check."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from botbuilder.schema import Activity

from bot.activity_input import BodyRefused, read_activity
from bot.adapter import ChannelRefused, DuplicateActivity, SenderMismatch, TenantRefused
from bot.auth import AuthUnavailable, Unauthorized
from bot.telemetry import TurnNote
from bot.typedefs import ADAPTER, BOT, CONFIG, DATABASE, TELEMETRY
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
    with request.app[TELEMETRY].turn(activity) as note:
        return await _turn(request, activity, note)


async def _turn(request: web.Request, activity: Activity, note: TurnNote) -> web.Response:
    """Run the activity's turn; the answer, with its outcome told to `note` (telemetry)."""
    adapter, bot = request.app[ADAPTER], request.app[BOT]
    try:
        response = await adapter.process(
            request.headers.get("Authorization"), activity, bot.on_turn
        )
    except Unauthorized as exc:
        log.warning("refused an activity: %s", exc)
        return _noted(note, "unauthorized", _problem(401, "unauthorized"))
    except AuthUnavailable as exc:
        log.error("cannot check tokens: %s", exc)
        return _noted(note, "auth_unavailable", _problem(503, "cannot check tokens right now"))
    except TenantRefused:
        log.warning("refused an activity from another tenant")
        return _noted(note, "tenant_refused", _problem(403, "this bot serves another tenant"))
    except ChannelRefused as exc:
        log.warning("refused an activity from the channel %r (EXITBOT_CHANNELS)", str(exc)[:64])
        message = "this bot does not accept activities from this channel"
        return _noted(note, "channel_refused", _problem(403, message))
    except SenderMismatch as exc:
        log.warning("refused a %r: its sender ids contradict a stored person", str(exc)[:64])
        message = "the sender's Teams user id and Entra object id do not match"
        return _noted(note, "sender_mismatch", _problem(403, message))
    except DuplicateActivity:
        log.info("dropped a re-sent activity")
        return _noted(note, "duplicate", web.Response(status=200))
    except TurnInProgress:
        log.info("an activity was re-sent while its turn runs; asked to retry")
        answer = _unavailable("this activity is being handled; try again")
        return _noted(note, "in_progress", answer)
    except Exception as exc:
        if not database_unavailable(exc):
            raise
        # Nothing of the turn is recorded as seen: Teams' retry runs it.
        log.warning("the database is unavailable: %s", type(exc).__name__)
        answer = _unavailable("the database is unavailable; try again")
        return _noted(note, "database_unavailable", answer)
    if response is not None:
        body = response.body
        card_status = body.get("statusCode") if isinstance(body, dict) else None
        note.ended("ok", response.status, card_status if isinstance(card_status, int) else None)
        return web.json_response(body, status=response.status)
    note.ended("ok", 200)
    return web.Response(status=200)


def _noted(note: TurnNote, outcome: str, response: web.Response) -> web.Response:
    note.ended(outcome, response.status)
    return response


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
