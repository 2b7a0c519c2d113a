"""`exitbot demo`: the bot in local mode next to Microsoft 365 Agents Playground, for a laptop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

from cli.errors import EXIT_INVALID, CommandFailed

PLAYGROUND_PORT = 56150
DEMO_DEFAULTS = {
    "EXITBOT_LOCAL_MODE": "true",
    "EXITBOT_HOST": "127.0.0.1",
    "EXITBOT_PORT": "3978",
}


def playground_binary(root: Path) -> Path | None:
    """The Playground installed by `npm ci` in the checkout, or one on PATH."""
    local = root / "node_modules" / ".bin" / "agentsplayground"
    if local.exists():
        return local
    found = shutil.which("agentsplayground")
    return Path(found) if found else None


@contextlib.contextmanager
def playground(binary: Path, bot_url: str, port: int, workdir: Path) -> Iterator[subprocess.Popen]:
    """Run Agents Playground (offline, no telemetry) until the block ends."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "TEAMSAPPTESTER_BROWSER": "none",
        "APPLICATION_INSIGHTS_NO_STATSBEAT": "true",
        # Its log holds every message body; keep it under var/, which git ignores.
        "M365_AGENTS_PLAYGROUND_LOGFILE": str(workdir / "playground.log"),
    }
    demo_users = Path(__file__).resolve().parent.parent / "config" / "demo" / "playground.yml"
    if demo_users.exists():
        env["M365_AGENTS_PLAYGROUND_CONFIG_PATH"] = str(demo_users)
    command = [str(binary), "-p", str(port), "-e", bot_url, "-c", "msteams", "--disable-telemetry"]
    process = subprocess.Popen(
        command, env=env, cwd=workdir, stdout=subprocess.DEVNULL, start_new_session=True
    )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 15)
        process.wait(timeout=10)


def ensure_port_free(host: str, port: int, who: str, setting: str) -> None:
    """Stop before anything starts when `port` is taken: one line naming it and the fix."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind
        try:
            probe.bind((host, port))
        except OSError:
            raise CommandFailed(
                f"port {port} on {host} ({who}) is already in use, perhaps by an earlier "
                f"`make run`: stop that program, or {setting}",
                EXIT_INVALID,
            ) from None


async def demo_history(database_url: str) -> int:
    """The demo's past departures (cli.demo_history), written once into the demo's database."""
    from cli.demo_history import write_history
    from journey.clock import SystemClock
    from storage.database import Database

    db = await Database.open(database_url)
    try:
        return await write_history(db, SystemClock().now())
    finally:
        await db.close()


def run_demo(root: Path) -> int:
    """Migrate the SQLite file, start the Playground, then serve the bot until Ctrl-C."""
    from bot.settings import DatabaseSettings
    from cli.serve import serve
    from cli.startup import command_settings
    from storage.migrate import upgrade

    for name, value in DEMO_DEFAULTS.items():
        os.environ.setdefault(name, value)
    binary = playground_binary(root)
    if binary is None:
        raise CommandFailed("Agents Playground is not installed; run `npm ci` first", EXIT_INVALID)
    host, port = os.environ["EXITBOT_HOST"], os.environ["EXITBOT_PORT"]
    if port.isdigit():  # anything else is refused, with its name, by the settings below
        ensure_port_free(host, int(port), "the bot", "choose another with EXITBOT_PORT")
    ensure_port_free("127.0.0.1", PLAYGROUND_PORT, "Agents Playground", "free it")
    database_url = command_settings(DatabaseSettings).database_url
    asyncio.run(upgrade(database_url))
    written = asyncio.run(demo_history(database_url))
    if written:
        print(
            f"  Demo history: {written} past departures for insights (external id demo-history-*)"
        )
    bot_url = f"http://{os.environ['EXITBOT_HOST']}:{os.environ['EXITBOT_PORT']}/api/messages"
    with playground(binary, bot_url, PLAYGROUND_PORT, root / "var" / "playground"):
        print(
            f"\n  Agents Playground: open http://127.0.0.1:{PLAYGROUND_PORT}/ in your browser"
            f"\n  The bot answers at {bot_url} (local mode: no authentication)\n",
            flush=True,
        )
        return serve(None, None)
