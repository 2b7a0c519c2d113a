"""HTTP endpoints: the Bot Connector's messages and the health check."""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import web
from botbuilder.schema import Activity

from bot.adapter import DuplicateActivity, TenantRefused
from bot.auth import AuthUnavailable, Unauthorized
from bot.typedefs import ADAPTER, BOT, CONFIG, DATABASE

log = logging.getLogger(__name__)

REQUIRED_FIELDS = ("type", "serviceUrl", "conversation", "from")


def _problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def parse_activity(body: object) -> Activity:
    """An Activity from a request body, or ValueError saying what is missing."""
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    missing = [name for name in REQUIRED_FIELDS if not body.get(name)]
    if missing:
        raise ValueError(f"the activity lacks {', '.join(missing)}")
    if not isinstance(body["conversation"], dict) or not body["conversation"].get("id"):
        raise ValueError("the activity lacks conversation.id")
    if not isinstance(body["from"], dict) or not body["from"].get("id"):
        raise ValueError("the activity lacks from.id")
    try:
        return Activity().deserialize(body)
    except Exception as exc:  # msrest raises its own DeserializationError family
        raise ValueError("the activity does not follow the Bot Framework schema") from exc


async def messages(request: web.Request) -> web.Response:
    """POST /api/messages: one activity from the Bot Connector."""
    if request.content_type != "application/json":
        return _problem(415, "expected application/json")
    raw = await request.read()  # raises 413 past client_max_size
    try:
        activity = parse_activity(json.loads(raw))
    except (ValueError, UnicodeDecodeError) as exc:
        return _problem(400, str(exc) if isinstance(exc, ValueError) else "body is not UTF-8")

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
    except DuplicateActivity:
        log.info("dropped a re-sent activity")
        return web.Response(status=200)
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
