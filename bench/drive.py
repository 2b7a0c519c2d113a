"""The servers of bench.turns as child processes, the load that drives them, and one measured
batch: CPU per turn from the server's own account, replies from the connector stand-in."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.protocol import (
    CPU_PATH,
    READY,
    SENT_PATH,
    message_activity,
)

REPO = Path(__file__).resolve().parent.parent

START_TIMEOUT = 90.0

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}

# Settings the servers must not pick up from the caller's shell: each case sets its own.
_FOREIGN_ENV = ("EXITBOT_", "MICROSOFT_", "DATABASE_URL", "TO_BOT_FROM_CHANNEL_")


@dataclass(frozen=True)
class Case:
    """One server under test."""

    key: str
    label: str
    kind: str
    replies: bool  # whether each turn should post one reply to the connector
    database_url: str | None = None
    # A PostgreSQL started here: its CPU is counted too (it runs outside the bot's process).
    postmaster_pid_file: Path | None = None


@dataclass
class Figures:
    """What the measured batches of one case added up to."""

    key: str
    label: str
    turns: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    main_thread_cpu_seconds: float = 0.0
    database_cpu_seconds: float | None = None
    errors: int = 0
    replies: int | None = None
    batches: list[dict[str, float]] = field(default_factory=list)

    @property
    def requests_per_second(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_turn(self) -> float:
        return 1000 * self.cpu_seconds / self.turns if self.turns else 0.0

    @property
    def main_thread_cpu_ms_per_turn(self) -> float:
        return 1000 * self.main_thread_cpu_seconds / self.turns if self.turns else 0.0


class ServerProcess:
    """A server of bench._servers in a child process, with its stderr kept in a file."""

    def __init__(self, name: str, args: list[str], log_dir: Path) -> None:
        self.name = name
        self.args = args
        self.log = log_dir / f"{name}.stderr"
        self.url = ""
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> str:
        """Start the child and wait for its ready line; its base URL."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(_FOREIGN_ENV)}
        with self.log.open("wb") as stderr:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench._servers",
                *self.args,
                cwd=REPO,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
            )
        assert self.process.stdout is not None
        try:
            async with asyncio.timeout(START_TIMEOUT):
                while line := (await self.process.stdout.readline()).decode():
                    if line.startswith(READY):
                        self.url = line.split()[1]
                        return self.url
        except TimeoutError:
            pass
        await self.stop()
        raise RuntimeError(f"{self.name} did not start:\n{self.stderr_tail()}")

    def stderr_tail(self, lines: int = 25) -> str:
        """The end of what the child wrote to stderr."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL if the child does not exit within 10 s."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


@contextlib.asynccontextmanager
async def running(servers: list[ServerProcess]) -> AsyncIterator[None]:
    """Start the servers one after another; stop them all on the way out."""
    try:
        for server in servers:
            await server.start()
        yield
    finally:
        await asyncio.gather(*(server.stop() for server in servers))


class Load:
    """Posts fresh message activities to a server with a fixed number of requests in flight."""

    def __init__(
        self, http: aiohttp.ClientSession, connector_url: str, text: str, concurrency: int
    ) -> None:
        self._http = http
        self._connector_url = connector_url
        self._text = text
        self._concurrency = concurrency
        # Every activity gets an id never used before, so exitbot's dedup table takes a row a turn.
        self._ids = (f"bench-{uuid.uuid4().hex[:12]}-{n}" for n in itertools.count(1))

    def _bodies(self, turns: int) -> Iterator[bytes]:
        for _ in range(turns):
            activity = message_activity(next(self._ids), self._connector_url, self._text)
            yield json.dumps(activity).encode()

    async def run(self, url: str, turns: int) -> tuple[float, int]:
        """Post `turns` activities to `url`; (wall seconds, failed requests)."""
        bodies = list(self._bodies(turns))  # built before the clock starts
        return await post_all(self._http, url, bodies, self._concurrency)


# Called with (index of the body, HTTP status, answer) for each request that got an answer.
Answered = Callable[[int, int, bytes], None]


async def post_all(
    http: aiohttp.ClientSession,
    url: str,
    bodies: list[bytes],
    concurrency: int,
    answered: Answered | None = None,
) -> tuple[float, int]:
    """POST every body to `url`, `concurrency` at a time; (wall seconds, failed requests: no
    answer, or not 2xx)."""
    queue = iter(enumerate(bodies))
    errors = 0

    async def worker() -> None:
        nonlocal errors
        for index, body in queue:  # one shared iterator: the workers take turns from it
            try:
                async with http.post(url, data=body, headers=JSON_HEADERS) as response:
                    answer = await response.read()
                    if response.status >= 300:
                        errors += 1
                    if answered is not None:
                        answered(index, response.status, answer)
            except aiohttp.ClientError:
                errors += 1

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - began, errors


async def probe(http: aiohttp.ClientSession, url: str, key: str) -> Any:
    """GET a probe route of a bench server and return one field of its answer."""
    async with http.get(url) as response:
        response.raise_for_status()
        return (await response.json())[key]


async def cpu_of(http: aiohttp.ClientSession, server: ServerProcess) -> tuple[float, float]:
    """The server's CPU seconds so far: (whole process, main thread)."""
    async with http.get(server.url + CPU_PATH) as response:
        response.raise_for_status()
        answer = await response.json()
    return answer["cpu"], answer["cpu_main"]


async def probe_post(http: aiohttp.ClientSession, url: str, key: str) -> Any:
    """POST to a probe route and return one field of its answer."""
    async with http.post(url) as response:
        response.raise_for_status()
        return (await response.json())[key]


async def measure(
    http: aiohttp.ClientSession,
    load: Load,
    case: Case,
    server: ServerProcess,
    connector: ServerProcess,
    turns: int,
    figures: Figures,
) -> None:
    """One measured batch: CPU and replies read before and after, added to `figures`."""
    replies_before = await probe(http, connector.url + SENT_PATH, "sent")
    database_before = postgres_cpu_seconds(case.postmaster_pid_file)
    cpu_before, main_before = await cpu_of(http, server)
    seconds, errors = await load.run(server.url + "/api/messages", turns)
    cpu_after, main_after = await cpu_of(http, server)
    database_after = postgres_cpu_seconds(case.postmaster_pid_file)
    replies_after = await probe(http, connector.url + SENT_PATH, "sent")
    if database_before is not None and database_after is not None:
        figures.database_cpu_seconds = (figures.database_cpu_seconds or 0.0) + (
            database_after - database_before
        )
    cpu = cpu_after - cpu_before
    figures.turns += turns
    figures.seconds += seconds
    figures.cpu_seconds += cpu
    figures.main_thread_cpu_seconds += main_after - main_before
    figures.errors += errors
    if case.replies:
        figures.replies = (figures.replies or 0) + replies_after - replies_before
    figures.batches.append(
        {"turns": turns, "seconds": round(seconds, 4), "cpu_seconds": round(cpu, 4)}
    )


def postgres_cpu_seconds(pid_file: Path | None) -> float | None:
    """CPU seconds of a PostgreSQL server so far: the postmaster, its exited children, the live.

    From /proc with clock-tick resolution (10 ms), plenty over a batch of hundreds of turns.
    """
    if pid_file is None:
        return None
    try:
        postmaster = int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # fields[0] is field 3 of proc(5)
        pid, parent = int(entry.name), int(fields[1])
        if pid == postmaster:
            ticks += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
        elif parent == postmaster:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


async def throwaway_postgres() -> tuple[Any, str]:
    """A PostgreSQL server started with the installed initdb/pg_ctl, and a fresh database's URL;
    the caller stops the server (`.stop()`)."""
    from testkit.pg_server import PostgresServer

    server = await asyncio.to_thread(PostgresServer.start)
    return server, await server.create_database()
