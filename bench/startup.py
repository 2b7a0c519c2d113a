"""Start-to-ready of `exitbot serve` (process start to the first 200 from /healthz) against the
time a fresh interpreter takes to import botbuilder.core; and a process that burns one core."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import statistics
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
READY_DEADLINE = 60.0
HEALTH_POLL = 0.01  # seconds between GET /healthz while the service starts


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _clean_env(**settings: str) -> dict[str, str]:
    """The caller's environment without its service settings, plus `settings`."""
    foreign = ("EXITBOT_", "MICROSOFT_", "DATABASE_URL", "TO_BOT_FROM_CHANNEL_")
    return {**{k: v for k, v in os.environ.items() if not k.startswith(foreign)}, **settings}


async def import_seconds() -> float:
    """Wall seconds from starting `python -c "import botbuilder.core"` until it exits."""
    began = time.perf_counter()
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import botbuilder.core", cwd=REPO, env=_clean_env()
    )
    if await child.wait() != 0:
        raise RuntimeError("importing botbuilder.core failed")
    return time.perf_counter() - began


async def ready_seconds(http: aiohttp.ClientSession, database_url: str, log: Path) -> float:
    """Wall seconds from starting `exitbot serve` (local mode, a migrated database) until
    GET /healthz answers 200."""
    port = _free_port()
    env = _clean_env(
        EXITBOT_LOCAL_MODE="true",
        DATABASE_URL=database_url,
        EXITBOT_PORT=str(port),
        EXITBOT_LOG_LEVEL="WARNING",
    )
    exitbot = Path(sys.executable).parent / "exitbot"
    with log.open("ab") as stderr:
        began = time.perf_counter()
        child = await asyncio.create_subprocess_exec(
            str(exitbot), "serve", cwd=REPO, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
    try:
        while time.perf_counter() - began < READY_DEADLINE:
            if child.returncode is not None:
                raise RuntimeError(f"exitbot serve exited with {child.returncode}; see {log}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return time.perf_counter() - began
            await asyncio.sleep(HEALTH_POLL)
        raise RuntimeError(f"exitbot serve was not ready within {READY_DEADLINE:.0f} s; see {log}")
    finally:
        if child.returncode is None:
            child.terminate()
            await child.wait()


async def start_to_ready(database_url: str, work: Path, repeat: int) -> dict[str, float]:
    """Both timed `repeat` times, taking turns; the medians and their ratio."""
    from storage.migrate import upgrade

    await upgrade(database_url)
    imports, readies = [], []
    async with aiohttp.ClientSession() as http:
        for _ in range(repeat):
            imports.append(await import_seconds())
            readies.append(await ready_seconds(http, database_url, work / "serve.stderr"))
    imported, ready = statistics.median(imports), statistics.median(readies)
    return {
        "import_botbuilder_seconds": round(imported, 3),
        "serve_ready_seconds": round(ready, 3),
        "ratio": round(ready / imported, 2),
        "repeat": repeat,
    }


@contextlib.asynccontextmanager
async def burning(on: bool) -> AsyncIterator[None]:
    """With `on`, a second process spinning on one core for as long as the block runs."""
    if not on:
        yield
        return
    burner = await asyncio.create_subprocess_exec(sys.executable, "-c", "while True: pass")
    try:
        yield
    finally:
        burner.kill()
        await burner.wait()


def rss_megabytes(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) of a process, in MB (10^6 bytes), from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return _kb(fields["VmRSS"]) / 1000, _kb(fields["VmHWM"]) / 1000


def _kb(value: str) -> float:
    return float(value.split()[0]) * 1.024  # /proc says kB and means KiB
