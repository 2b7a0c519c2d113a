"""The exit flow's card clicks against a stock echo bot: server CPU, SQL statements, errors.

N new leavers (each with a manager of their own in a generated local directory, a fixed clock)
go through the real cards: HR registers them (not measured), then each leaver, one step for all
of them at a time with 8 requests in flight, says `help`, accepts the offer, chooses their
manager, picks the first time, writes `survey`, starts it, answers every section (survey.next)
and sends it. Before each step an echo batch of the same size runs against the stock botbuilder
echo bot (bench.turns case b), so each ratio compares figures of the same moment. Then: RSS of
the server after --rss-turns mixed turns, and start-to-ready of `exitbot serve` against the
import of botbuilder. Run: `.venv/bin/python -m bench.flow --help`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

from bench import flow_people, flow_report, startup
from bench.drive import Case, ServerProcess, running, throwaway_postgres
from bench.flow_cards import judged
from bench.flow_rig import Batch, Rig, encoded
from bench.flow_steps import (
    ACCEPT,
    CHOOSE,
    OFFER_DEADLINE,
    PICK,
    SEND,
    START,
    Walker,
    going,
    posted_card,
    pressed,
    registered,
    said,
    survey_sections,
    takes_inputs,
)
from bench.protocol import invoke_activity, message_activity

ECHO_WARMUP = 100  # unmeasured echo turns before the first batch


async def flow(rig: Rig, walkers: list[Walker], burn: bool) -> tuple[Batch, list[Batch]]:
    """Registration and the offers (not measured), then every measured step."""
    # First contact: the bot learns how to reach each leaver (and greets them).
    setup = await said(rig, walkers, "help", measured=False)
    await registered(rig, walkers)
    if missing := await posted_card(rig, walkers, "offer.accept", OFFER_DEADLINE):
        setup.errors["no offer card posted"] += missing
    await rig.settle()
    await rig.echo_load.run(rig.echo.url + "/api/messages", ECHO_WARMUP)
    async with startup.burning(burn):
        batches = [
            await said(rig, walkers, "help"),
            await pressed(rig, walkers, ACCEPT),
            await pressed(rig, walkers, CHOOSE),
            await pressed(rig, walkers, PICK),
            await said(rig, walkers, "survey"),
        ]
        intro = takes_inputs("survey.start")
        if missing := await posted_card(rig, walkers, "survey.start", OFFER_DEADLINE, intro):
            setup.errors["no survey card posted after `survey`"] += missing
        batches.append(await pressed(rig, walkers, START))
        batches += await survey_sections(rig, walkers)
        batches.append(await pressed(rig, walkers, SEND))
    return setup, batches


async def mixed_turns(rig: Rig, walkers: list[Walker], turns: int) -> dict[str, Any]:
    """`turns` turns of the leavers: help, `survey`, and the survey's card opened again, in
    turn; the server's CPU per turn, errors, and its RSS afterwards."""
    done = [w for w in walkers if w.departure] or walkers
    bodies, invokes = [], set()
    for n in range(turns):
        walker = done[n % len(done)]
        user, url = walker.leaver.user, rig.connector.url
        kind = (n // len(done)) % 3
        if kind == 2 and walker.departure:
            data = {"departure": walker.departure}
            activity = invoke_activity(rig.activity_id(), url, user, "survey.start", data)
            invokes.add(n)
        else:
            activity = message_activity(
                rig.activity_id(), url, "help" if kind == 0 else "survey", user
            )
        bodies.append(encoded(activity))
    assert rig.exitbot.process is not None
    pid = rig.exitbot.process.pid
    rss_before, _ = startup.rss_megabytes(pid)

    def judge(index: int, status: int, answer: bytes) -> str | None:
        return judged(status, answer)[1] if index in invokes else None

    batch = await rig.measured("mixed", bodies, judge, echo=False)
    rss_after, peak = startup.rss_megabytes(pid)
    return {
        "turns": turns,
        "cpu_ms_per_turn": round(1000 * batch.cpu_seconds / turns, 3) if turns else None,
        "errors": dict(batch.errors),
        "rss_mb_before": round(rss_before, 1),
        "rss_mb_after": round(rss_after, 1),
        "rss_mb_peak": round(peak, 1),
    }


async def run_on(
    args: argparse.Namespace, database: str, url: str, pid_file: Path | None, work: Path
) -> dict[str, Any]:
    """One whole run on one database: its own servers, leavers, figures."""
    leavers = flow_people.leavers(args.leavers)
    people_file, members_file = flow_people.write_people(leavers, work)
    exitbot_case = Case("c", f"exitbot ({database})", "exitbot", True, url, pid_file)
    echo_case = Case("b", "stock botbuilder echo bot", "echo", replies=True)
    connector = ServerProcess(
        f"connector-{database}", ["connector", "--members", str(members_file)], work
    )
    echo = ServerProcess(f"echo-{database}", ["echo"], work)
    exitbot = ServerProcess(
        f"exitbot-{database}",
        ["exitbot", "--database-url", url, "--people-file", str(people_file),
         "--clock", flow_people.CLOCK_AT.isoformat(), "--count-sql",
         *(["--profile-dir", str(args.profile.resolve())] if args.profile else [])],
        work,
    )  # fmt: skip
    servers = [connector, echo, exitbot]
    try:
        async with (
            running(servers),
            aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=args.concurrency + 4)
            ) as http,
        ):
            rig = Rig(
                http, exitbot, echo, connector, exitbot_case, echo_case, args.concurrency,
                args.profile.resolve() if args.profile else None,
            )  # fmt: skip
            walkers = [Walker(leaver) for leaver in leavers]
            setup, batches = await flow(rig, walkers, args.burn)
            mixed = await mixed_turns(rig, walkers, args.rss_turns) if args.rss_turns else None
    except BaseException:
        _print_logs(servers)
        raise
    stuck = [w.stuck for w in walkers if w.stuck]
    if stuck:
        _print_logs(servers)
    return flow_report.database_result(
        database, batches, mixed, stuck, len(going(walkers)), dict(setup.errors)
    )


def _print_logs(servers: list[ServerProcess]) -> None:
    for server in servers:
        if tail := server.stderr_tail():
            print(f"--- {server.name} stderr ---\n{tail}", file=sys.stderr)


async def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    """Start-to-ready first (on a quiet machine), then the flow on SQLite and maybe PostgreSQL."""
    work = Path(tempfile.mkdtemp(prefix="exitbot-flow-"))
    runs: dict[str, Any] = {}
    try:
        ready_url = f"sqlite+aiosqlite:///{work / 'ready.sqlite3'}"
        started = await startup.start_to_ready(ready_url, work, args.start_repeat)
        sqlite_url = f"sqlite+aiosqlite:///{work / 'flow.sqlite3'}"
        runs["sqlite"] = await run_on(args, "sqlite", sqlite_url, None, work)
        if args.postgres:
            pg_server, url, pid_file = None, args.postgres, None
            if url == "auto":
                pg_server, url = await throwaway_postgres()
                pid_file = pg_server.data / "postmaster.pid"
            try:
                runs["postgres"] = await run_on(args, "postgres", url, pid_file, work)
            finally:
                if pg_server is not None:
                    pg_server.stop()
    except BaseException:
        print(f"(server logs kept in {work})", file=sys.stderr)
        raise
    shutil.rmtree(work, ignore_errors=True)
    return flow_report.result(args, started, runs)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--leavers", type=int, default=150, help="new leavers (30: a quick run)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also run on this PostgreSQL database (it gets migrated and written to); "
        "`auto` starts a throwaway server with the installed initdb/pg_ctl",
    )
    parser.add_argument(
        "--rss-turns", type=int, default=5000, help="mixed turns before reading RSS; 0: skip"
    )
    parser.add_argument(
        "--burn", action="store_true", help="a second process burns one core during the flow"
    )
    parser.add_argument(
        "--start-repeat", type=int, default=3, help="times start-to-ready and the import are timed"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON only")
    parser.add_argument(
        "--trace-sql",
        type=Path,
        metavar="FILE",
        help="append each turn's SQL statements (no parameters) to FILE, under its verb",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="each measured batch under cProfile (main thread), written to DIR/<turn>.prof; "
        "the CPU figures then include the profiler's cost",
    )
    args = parser.parse_args(argv)
    if min(args.leavers, args.concurrency, args.start_repeat) < 1 or args.rss_turns < 0:
        parser.error("--leavers, --concurrency and --start-repeat must be ≥ 1, --rss-turns ≥ 0")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the bench and print the report; exit 1 if any turn failed."""
    args = parse_args(argv)
    if args.trace_sql:  # read by bench.statements in the exitbot server
        os.environ["BENCH_SQL_TRACE"] = str(args.trace_sql.resolve())
    result = asyncio.run(run_bench(args))
    print(json.dumps(result, indent=2) if args.json else flow_report.render(result))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
