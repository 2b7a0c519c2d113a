"""What one flow run measures with: the three server processes, the load, and one measured batch
of turns (an echo batch of the same size first; server CPU, SQL statements and errors around it).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.drive import (
    Answered,
    Case,
    Figures,
    Load,
    ServerProcess,
    cpu_of,
    measure,
    post_all,
    postgres_cpu_seconds,
    probe,
)
from bench.protocol import PROFILE_START_PATH, PROFILE_STOP_PATH, SENT_PATH, SQL_PATH

SETTLE_POLL = 0.25  # seconds between looks while the server finishes what turns left behind
SETTLE_DEADLINE = 30.0


@dataclass
class Statements:
    """SQL statements the server ran, split as bench.statements counts them."""

    turn: int = 0
    after: int = 0
    other: int = 0
    per_turn: Counter[int] = field(default_factory=Counter)  # statements in a turn -> turns
    kinds: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, answer: dict[str, Any]) -> Statements:
        return cls(
            answer["turn"],
            answer["after"],
            answer["other"],
            Counter({int(k): v for k, v in answer["per_turn"].items()}),
            Counter(answer["kinds"]),
        )

    def __sub__(self, earlier: Statements) -> Statements:
        return Statements(
            self.turn - earlier.turn,
            self.after - earlier.after,
            self.other - earlier.other,
            self.per_turn - earlier.per_turn,
            self.kinds - earlier.kinds,
        )

    def __add__(self, more: Statements) -> Statements:
        return Statements(
            self.turn + more.turn,
            self.after + more.after,
            self.other + more.other,
            self.per_turn + more.per_turn,
            self.kinds + more.kinds,
        )


@dataclass
class Batch:
    """One turn type's measured turns (a phase, or several summed) and the echo batches."""

    name: str
    turns: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    main_cpu_seconds: float = 0.0
    settle_cpu_seconds: float = 0.0  # from the last answer until the server was quiet
    database_cpu_seconds: float | None = None  # a throwaway PostgreSQL's own processes
    statements: Statements = field(default_factory=Statements)
    errors: Counter[str] = field(default_factory=Counter)
    echo: Figures = field(default_factory=lambda: Figures("b", "stock botbuilder echo bot"))

    def add(self, other: Batch) -> None:
        self.turns += other.turns
        self.seconds += other.seconds
        self.cpu_seconds += other.cpu_seconds
        self.main_cpu_seconds += other.main_cpu_seconds
        self.settle_cpu_seconds += other.settle_cpu_seconds
        if other.database_cpu_seconds is not None:
            self.database_cpu_seconds = (self.database_cpu_seconds or 0.0) + (
                other.database_cpu_seconds
            )
        self.statements = self.statements + other.statements
        self.errors.update(other.errors)
        for name in ("turns", "seconds", "cpu_seconds", "main_thread_cpu_seconds", "errors"):
            setattr(self.echo, name, getattr(self.echo, name) + getattr(other.echo, name))
        self.echo.batches += other.echo.batches


@dataclass
class Rig:
    """The servers of one run and how to talk to them."""

    http: aiohttp.ClientSession
    exitbot: ServerProcess
    echo: ServerProcess
    connector: ServerProcess
    exitbot_case: Case
    echo_case: Case
    concurrency: int
    profile_dir: Path | None = None  # each measured batch under cProfile, written here
    echo_load: Load = field(init=False)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def __post_init__(self) -> None:
        self.echo_load = Load(self.http, self.connector.url, "echo", self.concurrency)

    def activity_id(self) -> str:
        """An id never used before (the service de-duplicates on it)."""
        return f"flow-{self._run}-{next(self._ids)}"

    async def post(self, bodies: list[bytes], answered: Answered) -> tuple[float, int]:
        """Unmeasured turns: (seconds, failed requests)."""
        url = self.exitbot.url + "/api/messages"
        return await post_all(self.http, url, bodies, self.concurrency, answered)

    async def statements(self) -> Statements:
        return Statements.of(await self._get(self.exitbot.url + SQL_PATH))

    async def _get(self, url: str) -> Any:
        async with self.http.get(url) as response:
            response.raise_for_status()
            return await response.json()

    async def get_json(self, path: str) -> Any:
        return await self._get(self.connector.url + path)

    async def _profiled(self, name: str) -> None:
        """Stop the server's profiler; keep its figures as <profile_dir>/<name>.prof."""
        async with self.http.post(self.exitbot.url + PROFILE_STOP_PATH) as response:
            written = Path((await response.json())["profile"])
        assert self.profile_dir is not None
        stem = "".join(c if c.isalnum() or c == "." else "_" for c in name)
        os.replace(written, self.profile_dir / f"{stem}.prof")

    async def settle(self) -> None:
        """Wait until the server has stopped sending and its turns' tasks stopped writing."""
        deadline, last, same = time.monotonic() + SETTLE_DEADLINE, None, 0
        while time.monotonic() < deadline and same < 2:
            await asyncio.sleep(SETTLE_POLL)
            now = (
                await probe(self.http, self.connector.url + SENT_PATH, "sent"),
                (await self.statements()).after,
            )
            same = same + 1 if now == last else 0
            last = now

    async def measured(
        self, name: str, bodies: list[bytes], judge: Judge, *, echo: bool = True
    ) -> Batch:
        """An echo batch of the same size (unless not `echo`), then the turns; CPU, statements
        and errors around them."""
        batch = Batch(name)
        answered, not_2xx = judging(judge, batch.errors)
        if not bodies:
            return batch
        if echo:
            await measure(
                self.http, self.echo_load, self.echo_case, self.echo, self.connector, len(bodies),
                batch.echo,
            )  # fmt: skip
        pid_file = self.exitbot_case.postmaster_pid_file
        database_before = postgres_cpu_seconds(pid_file)
        before = await self.statements()
        cpu_before, main_before = await cpu_of(self.http, self.exitbot)
        if self.profile_dir:
            await self.http.post(self.exitbot.url + PROFILE_START_PATH)
        seconds, failed = await self.post(bodies, answered)
        if self.profile_dir:
            await self._profiled(name)
        cpu_after, main_after = await cpu_of(self.http, self.exitbot)
        database_after = postgres_cpu_seconds(pid_file)
        await self.settle()
        settled, _ = await cpu_of(self.http, self.exitbot)
        batch.statements = await self.statements() - before
        batch.turns, batch.seconds = len(bodies), seconds
        batch.cpu_seconds = cpu_after - cpu_before
        batch.main_cpu_seconds = main_after - main_before
        batch.settle_cpu_seconds = settled - cpu_after
        if database_before is not None and database_after is not None:
            batch.database_cpu_seconds = database_after - database_before
        if unanswered := failed - not_2xx[0]:
            batch.errors["no answer"] += unanswered
        return batch


# Sees (index of the body, HTTP status, answer): why that turn failed, or None.
Judge = Callable[[int, int, bytes], str | None]


def judging(judge: Judge, errors: Counter[str]) -> tuple[Answered, list[int]]:
    """The callback for post_all: errors by reason (an answer not 2xx is one, whatever the
    judge says); and a counter of the answers not 2xx (which post_all counts as failed too)."""
    not_2xx = [0]

    def answered(index: int, status: int, answer: bytes) -> None:
        reason = judge(index, status, answer)
        if not 200 <= status < 300:
            not_2xx[0] += 1
            reason = reason or f"HTTP {status}"
        if reason is not None:
            errors[reason] += 1

    return answered, not_2xx


def encoded(activity: dict[str, Any]) -> bytes:
    return json.dumps(activity).encode()
