"""One busy chat among many: how long N reminders to N chats take alone, and when H reminders
to one chat are due first, with claims in due order (as before issue 12) and fair across chats
(now). Three cases in one run, so the ratios compare like with like on one machine.

A Teams stand-in enforcing Teams' limits (testkit/standins/throttling.py: 50/s per tenant,
7 in 1 s ... 60 in 30 s per chat) runs in this process; worker processes
(testkit/worker_process.py, default pacing) deliver from a fresh database per case. A case ends
when every one of the N chats has its reminder (the busy chat is left to finish at Teams' pace).

    .venv/bin/python -m bench.fairness [--count 600] [--hot 60] [--workers 1]
                                       [--database sqlite|postgres]

Reported per case: seconds from the workers' start until the last of the N chats had its
reminder, the busy chat's deliveries by then, 429s, duplicates; and the ratios to "alone".
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

from sqlalchemy import insert

from journey.due import ScheduledAction
from storage.database import Database
from storage.due_actions import DueActionQueue
from storage.migrate import upgrade
from storage.tables import conversation_refs
from testkit.pg_server import PostgresServer
from testkit.standins.serve import serve
from testkit.standins.throttling import ThrottlingConnector
from testkit.waiting import wait_until

REPO = Path(__file__).resolve().parent.parent
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
HOT = "busy-person"
# (name, busy chat's reminders?, --claims-per-chat: 0 = in due order only)
CASES = (
    ("alone", False, 3),
    ("busy chat, due order (before)", True, 0),
    ("busy chat, fair", True, 3),
)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600, help="chats, one reminder each")
    parser.add_argument("--hot", type=int, default=60, help="reminders to the busy chat")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--latency", type=float, default=0.05, help="stand-in answer, seconds")
    parser.add_argument("--deadline", type=float, default=600.0, help="seconds per case")
    return parser.parse_args()


async def _fill(url: str, standin: str, count: int, hot: int) -> None:
    """One reminder to each of `count` people, due a minute ago; the busy chat's, before."""
    due = datetime.now(UTC) - timedelta(minutes=1)
    actions = [
        ScheduledAction(
            key=f"busy-{n}:reminder",
            kind="reminder",
            recipient_key=HOT,
            due_at=due - timedelta(minutes=1),
            payload={"type": "message", "text": "A reminder for the interviewer"},
            departure_id=f"busy-{n}",
        )
        for n in range(hot)
    ] + [
        ScheduledAction(
            key=f"person-{n}:reminder",
            kind="reminder",
            recipient_key=f"person-{n}",
            due_at=due,
            payload={"type": "message", "text": "Your exit conversation is tomorrow"},
            departure_id=f"person-{n}",
        )
        for n in range(count)
    ]
    refs = [
        {
            "user_key": key,
            "user_id": f"29:{key}",
            "upn": None,
            "name": None,
            "conversation_id": f"a:chat-{key}",
            "service_url": standin,
            "tenant_id": TENANT,
            "channel_id": "msteams",
            "bot_id": "28:bench",
            "locale": "da-DK",
            "updated_at": due,
        }
        for key in [f"person-{n}" for n in range(count)] + [HOT]
    ]
    async with await Database.open(url) as db:
        async with db.sessions.begin() as session:
            await session.execute(insert(conversation_refs), refs)
        await DueActionQueue(db).schedule_many(actions)


async def _worker(url: str, owner: str, per_chat: int) -> asyncio.subprocess.Process:
    """One worker process (default pacing) until terminated."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "testkit.worker_process", "--database-url", url,
        "--owner", owner, "--claims-per-chat", str(per_chat),
        cwd=REPO, stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def _case(args: argparse.Namespace, url: str, hot: int, per_chat: int) -> dict[str, Any]:
    standin = ThrottlingConnector(latency=args.latency)
    busy = f"a:chat-{HOT}"

    def others() -> int:
        return len({a.conversation_id for a in standin.delivered if a.conversation_id != busy})

    async with serve(standin.app()) as standin_url:
        await _fill(url, standin_url, args.count, hot)
        began = time.monotonic()
        workers = [await _worker(url, f"worker-{n}", per_chat) for n in range(args.workers)]
        try:
            await wait_until(
                lambda: others() >= args.count, timeout=args.deadline, what="every chat reached"
            )
        finally:
            for worker in workers:
                worker.terminate()
            await asyncio.gather(*(worker.wait() for worker in workers))
    done = max(a.at for a in standin.delivered if a.conversation_id != busy)
    counts = standin.marker_counts()
    return {
        "seconds": round(done - began, 1),
        "busy_chat_delivered": sum(1 for a in standin.delivered if a.conversation_id == busy),
        "throttled_429": len(standin.throttled),
        "duplicates": sum(n - 1 for n in counts.values()),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """The three cases, each on a fresh database; their figures and the ratios."""
    server = PostgresServer.start() if args.database == "postgres" else None
    scratch = tempfile.TemporaryDirectory(prefix="exitbot-fairness-")
    figures: dict[str, Any] = {}
    try:
        for number, (name, with_hot, per_chat) in enumerate(CASES):
            url = (
                await server.create_database()
                if server
                else f"sqlite+aiosqlite:///{Path(scratch.name) / f'case-{number}.sqlite3'}"
            )
            await upgrade(url)
            figures[name] = await _case(args, url, args.hot if with_hot else 0, per_chat)
            print(f"{name}: {json.dumps(figures[name])}", flush=True)
    finally:
        if server:
            server.stop()
        scratch.cleanup()
    alone = figures[CASES[0][0]]["seconds"]
    ratios = {name: round(figures[name]["seconds"] / alone, 2) for name, _, _ in CASES[1:]}
    return {"cases": figures, "ratio_to_alone": ratios}


def main() -> None:
    """Run and print the figures."""
    args = _arguments()
    print(
        f"fairness: {args.count} reminders to {args.count} chats, alone and after {args.hot} "
        f"to one busy chat due first; {args.workers} worker process(es) on {args.database}, "
        f"Teams' limits at the stand-in",
        flush=True,
    )
    result = asyncio.run(run(args))
    for name, ratio in result["ratio_to_alone"].items():
        print(f"{name}: {ratio:.2f} x the time alone")
    print(json.dumps(result))
    duplicates = sum(case["duplicates"] for case in result["cases"].values())
    sys.exit(0 if duplicates == 0 else 1)


if __name__ == "__main__":
    main()
