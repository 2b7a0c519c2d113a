"""`exitbot serve` as its own process in local mode, with a handle to signal it and read its log
(tests/cli/helpers.serving hides the process; these tests need it)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from storage.migrate import upgrade
from testkit.waiting import wait_until
from tests.cli.helpers import EXITBOT, REPO, command_env, free_port
from tests.helpers.service import make_activity


@dataclass
class Service:
    """A running `exitbot serve`, its address and its log."""

    process: asyncio.subprocess.Process
    url: str
    log: Path
    http: aiohttp.ClientSession

    def logged(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    async def config_version(self) -> str:
        async with self.http.get(f"{self.url}/healthz") as response:
            return (await response.json())["config_version"]

    async def say(self, connector_url: str, text: str, *, locale: str) -> None:
        """A leaver writes `text` (local mode: unsigned); the reply goes to `connector_url`."""
        activity = make_activity(connector_url, text=text, locale=locale)
        async with self.http.post(f"{self.url}/api/messages", json=activity) as response:
            assert response.status == 200, await response.text()

    async def listening(self) -> bool:
        try:
            async with self.http.get(f"{self.url}/healthz/live") as response:
                return response.status == 200
        except aiohttp.ClientConnectionError:
            return False


@asynccontextmanager
async def running(tmp_path: Path, **settings: str) -> AsyncIterator[Service]:
    """`exitbot serve` in local mode on a migrated SQLite file, until it answers /healthz/live;
    killed at the end if it is still running."""
    url = settings.setdefault("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    await upgrade(url)
    port = free_port()
    env = command_env(EXITBOT_LOCAL_MODE="true", EXITBOT_PORT=str(port), **settings)
    log = tmp_path / "serve.log"
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            *EXITBOT, "serve", env=env, cwd=REPO, stdout=asyncio.subprocess.DEVNULL, stderr=stderr
        )
    try:
        async with aiohttp.ClientSession() as http:
            service = Service(process, f"http://127.0.0.1:{port}", log, http)
            await wait_until(service.listening, what="exitbot serve answers /healthz/live")
            yield service
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
