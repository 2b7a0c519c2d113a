"""One delivery worker as its own process, as a deployed instance would run it.

    python -m testkit.worker_process --database-url URL [--until-idle] [...]

Used by the crash and chaos tests (which kill it with SIGKILL) and by bench/fanout.py and
bench/fairness.py. With --token-url it gets its bearer token from a testkit.standins.entra
stand-in, through the bot's own CredentialTokenProvider. It runs on the
system clock and talks to whatever connector the stored conversation references point at.
On a normal end it prints one JSON line: owner, CPU seconds used, seconds run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import signal
import time

import aiohttp

from journey.due import DueState
from outbox.connector import CredentialTokenProvider, NoToken, TokenProvider, delivery_connector
from outbox.policy import DeliveryPolicy
from outbox.worker import DeliveryWorker
from storage.conversations import SqlConversationRefStore
from storage.database import Database
from storage.due_actions import DueActionQueue
from storage.send_budget import TEAMS_PACING, Limit, Pacing, SendBudget
from testkit.probe import standin_probe
from testkit.standins.entra import StandInCredential

UNFINISHED = (DueState.PENDING, DueState.CLAIMED, DueState.SENDING)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--owner", default=None)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--max-in-flight", type=int, default=None)
    parser.add_argument("--lease", type=float, default=60.0, help="claim lease, seconds")
    parser.add_argument("--sending-lease", type=float, default=60.0)
    parser.add_argument("--timeout", type=float, default=15.0, help="connector timeout")
    parser.add_argument("--tenant-rate", type=float, default=None, help="sends/s, default 46")
    parser.add_argument("--unpaced", action="store_true", help="no pacing at all")
    parser.add_argument("--probe", default=None, help="stand-in URL to look for markers")
    parser.add_argument("--until-idle", action="store_true", help="exit when nothing is left")
    parser.add_argument("--token-url", default=None, help="a testkit.standins.entra stand-in")
    parser.add_argument("--token-retry-max", type=float, default=30.0, help="seconds")
    parser.add_argument("--settle", type=float, default=60.0, help="probe after, seconds")
    parser.add_argument(
        "--claims-per-chat", type=int, default=3, help="fair claims; 0: in due order alone"
    )
    return parser.parse_args()


def _tokens(args: argparse.Namespace, http: aiohttp.ClientSession) -> TokenProvider:
    if args.token_url is None:
        return NoToken()
    return CredentialTokenProvider(StandInCredential(http, args.token_url))


def _pacing(args: argparse.Namespace) -> Pacing:
    if args.unpaced:
        return Pacing(tenant=(Limit(100_000.0, 1_000),), conversation=(), late_tolerance=math.inf)
    if args.tenant_rate is not None:
        return Pacing(tenant=(Limit(args.tenant_rate, 1),))
    return TEAMS_PACING


async def _run(args: argparse.Namespace) -> dict[str, object]:
    started, cpu = time.monotonic(), time.process_time()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with (
        await Database.open(args.database_url) as db,
        aiohttp.ClientSession() as http,
    ):
        queue = DueActionQueue(db)
        worker = DeliveryWorker(
            queue,
            delivery_connector(http, _tokens(args, http), timeout_seconds=args.timeout),
            SqlConversationRefStore(db),
            args.owner,
            budget=SendBudget(db, _pacing(args)),
            batch_size=args.batch_size,
            max_in_flight=args.max_in_flight,
            policy=DeliveryPolicy(
                lease_seconds=args.lease,
                sending_lease_seconds=args.sending_lease,
                settle_seconds=args.settle,
                token_retry_max=args.token_retry_max,
                claims_per_chat=args.claims_per_chat or None,
                poll_seconds=0.1,
            ),
            probe=standin_probe(http, args.probe) if args.probe else None,
        )
        running = asyncio.create_task(worker.run_forever(stop))
        while args.until_idle and not stop.is_set():
            counts = await queue.counts()
            if not any(counts.get(state) for state in UNFINISHED):
                stop.set()
            else:
                await asyncio.sleep(0.2)
        await running
    return {
        "owner": worker.owner,
        "cpu_seconds": time.process_time() - cpu,
        "seconds": time.monotonic() - started,
    }


def main() -> None:
    """Run a worker until SIGTERM (or, with --until-idle, until the queue is done)."""
    print(json.dumps(asyncio.run(_run(_arguments()))), flush=True)


if __name__ == "__main__":
    main()
