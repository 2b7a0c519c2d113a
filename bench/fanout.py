"""Reminder fan-out: N due reminders through worker processes to a stand-in that throttles.

The Bot Connector stand-in (testkit/standins/throttling.py) runs in its own process and enforces
Teams' limits: 50 requests/s per tenant, the per-conversation windows, 429 + Retry-After above
them. Worker processes (testkit/worker_process.py, default pacing) share one database.
Reported: messages/s as a share of the 50/s ceiling, 429s received, duplicates and losses
(counted by the marker in each activity), and worker CPU per send.

    .venv/bin/python -m bench.fanout [--count 10000] [--workers 2] [--database sqlite|postgres]

10,000 reminders at 50/s take 200 s; --count makes a shorter run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import insert

from journey.due import DueState, ScheduledAction
from storage.database import Database
from storage.due_actions import DueActionQueue
from storage.migrate import upgrade
from storage.send_budget import TEAMS_PACING
from storage.tables import conversation_refs
from testkit.pg_server import PostgresServer

REPO = Path(__file__).resolve().parent.parent
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CEILING = 50.0  # Teams: requests per second per app and tenant
# Issue 13's goal. The default pacing (47/s, storage.send_budget.TEAMS_PACING) caps the share at
# 94.0 %: the goal leaves 2 % of the reserved slots to go unused (missed on a busy machine).
GOAL = 0.92


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="reminders (default 10000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--database", choices=("sqlite", "postgres"), default="postgres", help="default postgres"
    )
    parser.add_argument(
        "--latency", type=float, default=0.1, help="stand-in seconds per answer (default 0.1)"
    )
    return parser.parse_args()


async def _start(*command: str) -> tuple[asyncio.subprocess.Process, str]:
    """Start a process that prints one line (its URL) when ready."""
    process = await asyncio.create_subprocess_exec(
        *command, cwd=REPO, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 30)
    return process, line.decode().strip()


async def _fill(url: str, standin: str, count: int) -> None:
    """One recipient (and personal chat) per reminder, all due a minute ago."""
    due = datetime.now(UTC) - timedelta(minutes=1)
    now = datetime.now(UTC)
    async with await Database.open(url) as db:
        refs = [
            {
                "user_key": f"person-{n}",
                "user_id": f"29:person-{n}",
                "upn": None,
                "name": None,
                "conversation_id": f"a:chat-person-{n}",
                "service_url": standin,
                "tenant_id": TENANT,
                "channel_id": "msteams",
                "bot_id": "28:bench",
                "locale": "da-DK",
                "updated_at": now,
            }
            for n in range(count)
        ]
        async with db.sessions.begin() as session:
            await session.execute(insert(conversation_refs), refs)
        queue = DueActionQueue(db)
        for start in range(0, count, 1000):
            await queue.schedule_many(
                [
                    ScheduledAction(
                        key=f"bench-{n}:reminder",
                        kind="reminder",
                        recipient_key=f"person-{n}",
                        due_at=due,
                        payload={"type": "message", "text": "Your exit conversation is tomorrow"},
                        departure_id=f"bench-{n}",
                    )
                    for n in range(start, min(start + 1000, count))
                ]
            )


async def _final_counts(url: str) -> dict[str, int]:
    async with await Database.open(url) as db:
        return {state.value: n for state, n in (await DueActionQueue(db).counts()).items()}


async def _worker(url: str, owner: str) -> asyncio.subprocess.Process:
    """One worker process on the queue, until it is empty."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "testkit.worker_process",
        "--database-url", url, "--owner", owner, "--until-idle",
        cwd=REPO, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def _deliver(args: argparse.Namespace, url: str) -> tuple[list[Any], float, dict[str, Any]]:
    """Fill the queue and let the worker processes empty it; the workers' exit codes and
    reports, the wall seconds and the stand-in's stats, as (runs, seconds, stats)."""
    standin, standin_url = await _start(
        sys.executable, "-m", "testkit.standins.throttling",
        "--tenant-limit", str(int(CEILING)), "--latency", str(args.latency),
    )  # fmt: skip
    try:
        await _fill(url, standin_url, args.count)
        began = time.monotonic()
        workers = [await _worker(url, f"worker-{n}") for n in range(args.workers)]
        outputs = await asyncio.gather(*(worker.communicate() for worker in workers))
        wall = time.monotonic() - began
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{standin_url}/_standin/stats") as response,
        ):
            stats = await response.json()
    finally:
        standin.kill()
        await standin.wait()
    runs = [(w.returncode, json.loads(out)) for w, (out, _) in zip(workers, outputs, strict=True)]
    return runs, wall, stats


def _figures(
    args: argparse.Namespace, runs: list[Any], wall: float, stats: dict[str, Any]
) -> dict[str, Any]:
    """The stand-in's and the workers' accounts as the bench's figures."""
    delivered = stats["delivered"]
    span = (stats["last_delivery"] or 0.0) - (stats["first_delivery"] or 0.0)
    rate = (delivered - 1) / span if delivered > 1 and span > 0 else 0.0
    cpu = sum(report["cpu_seconds"] for _, report in runs)
    return {
        "count": args.count,
        "workers": args.workers,
        "database": args.database,
        "latency_s": args.latency,
        "pacing_per_s": TEAMS_PACING.tenant[0].rate,
        "delivered": delivered,
        "distinct": stats["distinct_markers"],
        "duplicates": stats["duplicates"],
        "lost": args.count - stats["distinct_markers"],
        "throttled_429": stats["throttled"],
        "rate_per_s": rate,
        "share_of_ceiling": rate / CEILING,
        "wall_s": wall,
        "cpu_ms_per_send": 1000 * cpu / max(delivered, 1),
        "worker_exit_codes": [code for code, _ in runs],
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the fan-out once; the figures."""
    server = PostgresServer.start() if args.database == "postgres" else None
    scratch = tempfile.TemporaryDirectory(prefix="exitbot-fanout-")
    try:
        url = (
            await server.create_database()
            if server
            else f"sqlite+aiosqlite:///{Path(scratch.name) / 'fanout.sqlite3'}"
        )
        await upgrade(url)
        runs, wall, stats = await _deliver(args, url)
        counts = await _final_counts(url)
    finally:
        if server:
            server.stop()
        scratch.cleanup()
    return {**_figures(args, runs, wall, stats), "states": counts}


def main() -> None:
    """Run and print the figures."""
    args = _arguments()
    print(
        f"fan-out: {args.count} due reminders, {args.workers} worker processes on "
        f"{args.database}, stand-in enforcing {CEILING:g}/s per tenant (429 + Retry-After), "
        f"answering in {args.latency:g} s; pacing {TEAMS_PACING.tenant[0].rate:g}/s",
        flush=True,
    )
    figures = asyncio.run(run(args))
    print(
        f"delivered {figures['delivered']} ({figures['distinct']} distinct) in "
        f"{figures['wall_s']:.1f} s: {figures['rate_per_s']:.2f} messages/s = "
        f"{figures['share_of_ceiling']:.1%} of the {CEILING:g}/s ceiling "
        f"(goal {GOAL:.0%})"
    )
    print(
        f"429s received: {figures['throttled_429']}; duplicates: {figures['duplicates']}; "
        f"lost: {figures['lost']}; CPU per send (workers): {figures['cpu_ms_per_send']:.2f} ms"
    )
    print(f"final states: {figures['states']}; worker exit codes: {figures['worker_exit_codes']}")
    print(json.dumps(figures))
    ok = (
        figures["share_of_ceiling"] >= GOAL
        and figures["duplicates"] == 0
        and figures["lost"] == 0
        and figures["states"] == {DueState.SENT.value: args.count}
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
