"""Liveness and readiness for the platform's probes (GET /healthz stays as it was).

- /healthz/live: the process answers. Nothing else is checked: an instance that fails it is
  restarted, and a database outage is not cured by a restart.
- /healthz/ready: the database answers, its schema is the one the code needs, and the delivery
  worker's loop came round lately. 503 with the failed checks named otherwise; the platform
  sends no traffic to an instance that is not ready (App Service's health check uses it).

The bodies name what failed in the code's words, never the database's address or an error's
text (the probes are public); the log has the details.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.typedefs import CONFIG, DATABASE, OUTBOX
from storage.migrate import SchemaOutOfDate, check_schema, head_revision

log = logging.getLogger(__name__)

LIVE_PATH = "/healthz/live"
READY_PATH = "/healthz/ready"
DATABASE_SECONDS = 3.0  # a database that takes longer to answer SELECT 1 counts as unreachable
# The worker's loop comes round at least every few seconds (outbox.worker.HEARTBEAT_SECONDS)
# unless a database call hangs; past this it is taken as stuck.
WORKER_STALE_SECONDS = 60.0
OK = "ok"
NOT_CHECKED = "not checked: the database is unreachable"


async def live(request: web.Request) -> web.Response:
    """GET /healthz/live: the process answers."""
    return web.json_response({"status": "live"})


async def ready(request: web.Request) -> web.Response:
    """GET /healthz/ready: database reachable, schema current, delivery worker alive."""
    app = request.app
    checks = {"database": await _database(app)}
    if checks["database"] == OK:
        checks["schema"] = await _schema(app)
    else:
        checks["schema"] = NOT_CHECKED
    checks["delivery_worker"] = _worker(app)
    failed = [name for name, state in checks.items() if state not in (OK, NOT_CHECKED)]
    body = {
        "status": "not ready" if failed else "ready",
        "failed": failed,
        "checks": checks,
        "config_version": app[CONFIG].current.version,
    }
    return web.json_response(body, status=503 if failed else 200)


async def _database(app: web.Application) -> str:
    try:
        async with asyncio.timeout(DATABASE_SECONDS):
            reachable = await app[DATABASE].is_reachable()
    except TimeoutError:
        reachable = False
    return OK if reachable else "unreachable"


async def _schema(app: web.Application) -> str:
    try:
        async with asyncio.timeout(DATABASE_SECONDS):
            await check_schema(app[DATABASE])
    except SchemaOutOfDate as exc:
        log.warning("not ready: %s", exc)
        return f"out of date: the code needs revision {head_revision()}"
    except Exception as exc:  # e.g. no permission to read the version table
        log.warning("not ready: the schema's version could not be read: %s", type(exc).__name__)
        return f"unreadable: {type(exc).__name__}"
    return OK


def _worker(app: web.Application) -> str:
    idle = app[OUTBOX].worker_idle_for()
    if idle is None:
        return "not running"
    if idle > WORKER_STALE_SECONDS:
        return f"stuck: its loop last came round {idle:.0f} s ago"
    return OK


def add_health_routes(app: web.Application) -> None:
    """The liveness and readiness probes."""
    app.router.add_get(LIVE_PATH, live)
    app.router.add_get(READY_PATH, ready)
