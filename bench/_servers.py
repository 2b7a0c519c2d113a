"""The servers the bench measures, each in its own process: `python -m bench._servers KIND`.

KIND is one of
  bare       an aiohttp handler that parses the JSON body and answers 200;
  echo       a stock botbuilder echo bot (CloudAdapter + ActivityHandler, no app id);
  exitbot    our service from `create_app`, local mode, on `--database-url` (migrated here);
  connector  the Bot Connector stand-in from testkit/standins, with the bench user as a member.

Every server also answers the bench's probe routes (CPU time so far, replies received, and with
--profile-dir cProfile on and off) and prints `LISTENING <url>` once it accepts requests.
SIGTERM or SIGINT stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import signal
import sys
import time
from pathlib import Path

from aiohttp import web

from bench.protocol import (
    CPU_PATH,
    PROFILE_START_PATH,
    PROFILE_STOP_PATH,
    READY,
    SENT_PATH,
    USER_ID,
    member,
)


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


async def exitbot_app(database_url: str) -> web.Application:
    """(c) Our service as `exitbot serve` builds it, without authentication (local mode)."""
    from bot.app import create_app
    from bot.settings import Settings
    from storage.migrate import upgrade

    await upgrade(database_url)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, EXITBOT_LOCAL_MODE=True, DATABASE_URL=database_url
    )
    return create_app(settings)


def connector_app() -> web.Application:
    """The Bot Connector stand-in the bots reply to; counts replies without keeping them."""
    from testkit.standins.connector import ConnectorStandIn

    standin = ConnectorStandIn()
    standin.members[USER_ID] = member()
    app = standin.app()
    sent_before = [0]  # replies counted in earlier probes, whose records were dropped

    async def sent(_: web.Request) -> web.Response:
        sent_before[0] += len(standin.sent)
        standin.requests.clear()  # keeps memory flat over long runs
        return web.json_response({"sent": sent_before[0]})

    app.router.add_get(SENT_PATH, sent)
    return app


async def build(kind: str, database_url: str | None) -> web.Application:
    """The application of the given kind."""
    if kind == "bare":
        return bare_app()
    if kind == "echo":
        return echo_app()
    if kind == "connector":
        return connector_app()
    if kind == "exitbot":
        if not database_url:
            raise SystemExit("exitbot needs --database-url")
        return await exitbot_app(database_url)
    raise SystemExit(f"unknown server kind {kind!r}")


async def serve(kind: str, database_url: str | None, profile_dir: Path | None) -> None:
    """Run the server until SIGTERM/SIGINT, announcing its URL on stdout."""
    app = await build(kind, database_url)
    add_probes(app, profile_dir)
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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    asyncio.run(serve(args.kind, args.database_url, args.profile_dir))


if __name__ == "__main__":
    main()
