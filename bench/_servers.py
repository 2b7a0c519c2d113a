"""The servers the bench measures, each in its own process: `python -m bench._servers KIND`.

KIND is one of
  bare       an aiohttp handler that parses the JSON body and answers 200;
  echo       a stock botbuilder echo bot (CloudAdapter + ActivityHandler, no app id);
  exitbot    our service from `create_app`, local mode, on `--database-url` (migrated here);
             with `--people-file` its local directory, with `--clock` a fixed clock,
             with `--count-sql` its statements counted (bench.flow);
  connector  the Bot Connector stand-in from testkit/standins, with the bench user as a member
             (and with `--members` the people of a JSON file).

Every server also answers the bench's probe routes (CPU time so far, replies received, and with
--profile-dir cProfile on and off) and prints `LISTENING <url>` once it accepts requests. The
exitbot server also counts its SQL statements (bench.statements) and registers departures as
HR's form would (REGISTER_PATH); the connector keeps the cards posted to each chat (CARDS_PATH).
SIGTERM or SIGINT stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import os
import signal
import sys
import time
from collections import defaultdict, deque
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.protocol import (
    CARDS_PATH,
    CPU_PATH,
    PROFILE_START_PATH,
    PROFILE_STOP_PATH,
    READY,
    REGISTER_PATH,
    SENT_PATH,
    USER_ID,
    member,
)

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARDS_KEPT = 4  # per chat: the newest


def add_probes(app: web.Application, profile_dir: Path | None) -> None:
    """Routes the driver calls between batches; the profiler ones only when asked to profile."""

    async def cpu(_: web.Request) -> web.Response:
        # process_time: every thread of this process (aiosqlite runs SQLite in its own);
        # thread_time here: the main thread alone, which runs the event loop.
        return web.json_response({"cpu": time.process_time(), "cpu_main": time.thread_time()})

    app.router.add_get(CPU_PATH, cpu)
    if profile_dir is None:
        return
    running: list[cProfile.Profile] = []

    async def start(_: web.Request) -> web.Response:
        # Main-thread CPU as the clock: the default wall clock would charge I/O waits.
        profiler = cProfile.Profile(time.thread_time)
        running.append(profiler)
        profiler.enable()
        return web.json_response({"profiling": True})

    async def stop(_: web.Request) -> web.Response:
        if not running:
            raise web.HTTPConflict(text="no profiler running")
        profiler = running.pop()
        profiler.disable()
        path = profile_dir / "cprofile.prof"
        profiler.dump_stats(path)
        return web.json_response({"profile": str(path)})

    app.router.add_post(PROFILE_START_PATH, start)
    app.router.add_post(PROFILE_STOP_PATH, stop)


def bare_app() -> web.Application:
    """(a) The floor: what aiohttp alone costs to take a JSON POST and answer it."""

    async def messages(request: web.Request) -> web.Response:
        await request.json()
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def echo_app() -> web.Application:
    """(b) The stock botbuilder echo bot, wired the way the BotBuilder samples wire it."""
    from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )

    class StockConfig:
        # An empty app id is what makes botbuilder skip authentication (our local mode's twin).
        APP_ID = ""
        APP_PASSWORD = ""
        APP_TYPE = "MultiTenant"
        APP_TENANTID = ""

    class EchoBot(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            text = turn_context.activity.text or ""
            await turn_context.send_activity(MessageFactory.text(f"Echo: {text}"))

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(StockConfig()))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


async def exitbot_app(
    database_url: str,
    people_file: Path | None = None,
    clock_at: datetime | None = None,
    count_sql: bool = False,
) -> web.Application:
    """(c) Our service as `exitbot serve` builds it, without authentication (local mode)."""
    from cli.serve import collector_off_while_starting, collector_settled, fewer_malloc_arenas

    # As `exitbot serve` does: no collection while starting (frozen on startup), 2 arenas.
    collector_off_while_starting()
    fewer_malloc_arenas()
    from bench import statements
    from bot.app import create_app
    from bot.settings import Settings
    from journey.clock import FixedClock

    await _upgraded(database_url)
    people = {"EXITBOT_DIRECTORY": "local", "EXITBOT_PEOPLE_FILE": str(people_file)}
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        EXITBOT_LOCAL_MODE=True,
        DATABASE_URL=database_url,
        **(people if people_file else {}),
    )
    app = create_app(settings, clock=FixedClock(clock_at) if clock_at else None)
    if count_sql:  # off for bench.turns: its figures stay those of the app alone
        statements.install(app)
    app.router.add_post(REGISTER_PATH, _register)
    app.on_startup.append(collector_settled)  # after the resources opened, as in serve
    return app


async def _upgraded(database_url: str) -> None:
    """`exitbot db upgrade` in its own process, as an operator runs it before `exitbot serve`:
    Alembic, Mako and the migrations stay out of the server whose memory bench.flow reads."""
    upgrade = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", "db", "upgrade",
        env={**os.environ, "DATABASE_URL": database_url}, stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    if await upgrade.wait() != 0:
        raise SystemExit(f"exitbot db upgrade failed on {database_url}")


async def _register(request: web.Request) -> web.Response:
    """Register a departure as HR's form does (the body: a RegistrationRequest, plus `by`)."""
    from bot.typedefs import REGISTRATION
    from journey.departure import Door
    from journey.registration_rules import RegistrationRequest

    body = await request.json()
    by = body.pop("by")
    outcome = await request.app[REGISTRATION].register(
        RegistrationRequest(**body), by, door=Door.API
    )
    if outcome.departure is None:
        problems = [str(problem) for problem in outcome.problems]
        return web.json_response({"problems": problems}, status=422)
    return web.json_response({"departure": outcome.departure.id})


def connector_app(members_file: Path | None = None) -> web.Application:
    """The Bot Connector stand-in the bots reply to; counts replies without keeping them, but
    keeps the newest cards posted to each chat."""
    from testkit.standins.connector import ConnectorStandIn

    standin = ConnectorStandIn()
    standin.members[USER_ID] = member()
    if members_file is not None:
        for record in json.loads(members_file.read_text()):
            standin.members[record["id"]] = record
    cards: defaultdict[str, deque[dict[str, Any]]] = defaultdict(lambda: deque(maxlen=CARDS_KEPT))

    def keep_cards(method: str, path: str, body: dict[str, Any] | None) -> None:
        parts = path.strip("/").split("/")  # v3 conversations {id} activities [{id}]
        if method in ("POST", "PUT") and len(parts) in (4, 5) and parts[3] == "activities":
            for attachment in (body or {}).get("attachments") or []:
                if attachment.get("contentType") == ADAPTIVE_CARD:
                    cards[parts[2]].append(attachment["content"])

    async def cards_of(request: web.Request) -> web.Response:
        return web.json_response({"cards": list(cards.get(request.match_info["chat"], ()))})

    standin.rules.append(keep_cards)
    app = standin.app()
    app.router.add_get(CARDS_PATH + "/{chat}", cards_of)
    sent_before = [0]  # replies counted in earlier probes, whose records were dropped

    async def sent(_: web.Request) -> web.Response:
        sent_before[0] += len(standin.sent)
        standin.requests.clear()  # keeps memory flat over long runs
        return web.json_response({"sent": sent_before[0]})

    app.router.add_get(SENT_PATH, sent)
    return app


async def build(args: argparse.Namespace) -> web.Application:
    """The application of the given kind."""
    if args.kind == "bare":
        return bare_app()
    if args.kind == "echo":
        return echo_app()
    if args.kind == "connector":
        return connector_app(args.members)
    if args.kind == "exitbot":
        if not args.database_url:
            raise SystemExit("exitbot needs --database-url")
        return await exitbot_app(args.database_url, args.people_file, args.clock, args.count_sql)
    raise SystemExit(f"unknown server kind {args.kind!r}")


async def serve(args: argparse.Namespace) -> None:
    """Run the server until SIGTERM/SIGINT, announcing its URL on stdout."""
    app = await build(args)
    add_probes(app, args.profile_dir)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stopping.set)
    print(f"{READY} http://127.0.0.1:{port}", flush=True)
    try:
        await stopping.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["bare", "echo", "exitbot", "connector"])
    parser.add_argument("--database-url")
    parser.add_argument("--profile-dir", type=Path, help="enable the cProfile routes; write here")
    parser.add_argument("--people-file", type=Path, help="exitbot: the local directory's people")
    parser.add_argument(
        "--clock", type=datetime.fromisoformat, help="exitbot: a fixed clock at this moment"
    )
    parser.add_argument(
        "--count-sql", action="store_true", help="exitbot: count SQL statements per turn"
    )
    parser.add_argument("--members", type=Path, help="connector: a JSON list of member records")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
