"""Requests/s and server CPU per turn: bare aiohttp, a stock botbuilder echo bot, and exitbot.

Each server runs in its own process on a loopback port; a Bot Connector stand-in runs in another;
this process drives the load. CPU per turn is the server process's CPU time (all threads) over a
measured batch, divided by the turns in it. Run: `.venv/bin/python -m bench.turns --help`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

from bench import profiles
from bench.drive import (
    Case,
    Figures,
    Load,
    ServerProcess,
    cpu_of,
    measure,
    probe_post,
    running,
    throwaway_postgres,
)
from bench.protocol import (
    PROFILE_START_PATH,
    PROFILE_STOP_PATH,
)
from bench.report import render, report


async def _cases(args: argparse.Namespace, work: Path) -> tuple[list[Case], Any]:
    """The servers to measure, and the throwaway PostgreSQL server started for one (or None)."""
    cases = [
        Case("a", "bare aiohttp handler", "bare", replies=False),
        Case("b", "stock botbuilder echo bot", "echo", replies=True),
        Case(
            "c",
            "exitbot `help` (SQLite)",
            "exitbot",
            replies=True,
            database_url=f"sqlite+aiosqlite:///{work / 'exitbot.sqlite3'}",
        ),
    ]
    pg_server = None
    if args.postgres:
        url, pid_file = args.postgres, None
        if url == "auto":
            pg_server, url = await throwaway_postgres()
            pid_file = pg_server.data / "postmaster.pid"
        cases.append(Case("c-pg", "exitbot `help` (PostgreSQL)", "exitbot", True, url, pid_file))
    return cases, pg_server


def _servers(
    args: argparse.Namespace, cases: list[Case], work: Path
) -> tuple[dict[str, ServerProcess], set[str]]:
    """One server process per case, profiling where asked; and the keys of the profiled cases."""
    profiled = set(args.profile or ()) if args.profile is not None else set()
    if args.profile is not None and not profiled:
        profiled = {"c"}
    servers: dict[str, ServerProcess] = {}
    for case in cases:
        extra = ["--database-url", case.database_url] if case.database_url else []
        if case.key in profiled:
            (work / case.key).mkdir()
            extra += ["--profile-dir", str(work / case.key)]
        servers[case.key] = ServerProcess(case.key, [case.kind, *extra], work)
    return servers, profiled


async def _drive(
    http: aiohttp.ClientSession,
    args: argparse.Namespace,
    cases: list[Case],
    servers: dict[str, ServerProcess],
    connector: ServerProcess,
    figures: dict[str, Figures],
) -> Load:
    """Warm every server up, then measure them in interleaved rounds."""
    turns_of = {case.key: args.turns for case in cases}
    turns_of["a"] = args.bare_turns or 5 * args.turns
    load = Load(http, connector.url, args.text, args.concurrency)
    for case in cases:
        await load.run(servers[case.key].url + "/api/messages", args.warmup)
    for _ in range(args.rounds):
        for case in cases:
            per_round = max(1, turns_of[case.key] // args.rounds)
            server = servers[case.key]
            await measure(http, load, case, server, connector, per_round, figures[case.key])
    return load


async def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    """Start every server, warm each up, measure in interleaved rounds, optionally profile."""
    work = Path(tempfile.mkdtemp(prefix="exitbot-bench-"))
    cases, pg_server = await _cases(args, work)
    connector = ServerProcess("connector", ["connector"], work)
    servers, profiled = _servers(args, cases, work)
    figures = {case.key: Figures(case.key, case.label) for case in cases}
    profiled_results: dict[str, Any] = {}
    try:
        async with (
            running([connector, *servers.values()]),
            aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=args.concurrency + 4)
            ) as http,
        ):
            load = await _drive(http, args, cases, servers, connector, figures)
            for case in cases:
                if case.key in profiled:
                    server = servers[case.key]
                    profiled_results[case.key] = await profile(http, load, server, args, work)
    except BaseException:
        for server in [connector, *servers.values()]:
            if tail := server.stderr_tail():
                print(f"--- {server.name} stderr ---\n{tail}", file=sys.stderr)
        raise
    else:
        if not profiled_results:  # profiles stay for a closer look; nothing else is worth it
            shutil.rmtree(work, ignore_errors=True)
    finally:
        if pg_server is not None:
            pg_server.stop()
    return report(args, figures, profiled_results)


async def profile(
    http: aiohttp.ClientSession,
    load: Load,
    server: ServerProcess,
    args: argparse.Namespace,
    out_dir: Path,
) -> dict[str, Any]:
    """Extra batches, never counted in the figures: one under cProfile, one under py-spy."""
    url, turns = server.url + "/api/messages", args.profile_turns
    await probe_post(http, server.url + PROFILE_START_PATH, "profiling")
    await load.run(url, turns)
    stats = Path(await probe_post(http, server.url + PROFILE_STOP_PATH, "profile"))
    found: dict[str, Any] = {"cprofile": profiles.cprofile_summary(stats, turns, args.profile_top)}
    pyspy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if pyspy is None:
        found["pyspy_skipped"] = "py-spy is not installed (pip install py-spy)"
        return found
    assert server.process is not None
    raw = out_dir / f"{server.name}.pyspy.txt"
    # --nonblocking: py-spy reads the stacks without pausing the server, so it barely slows it.
    spy = await asyncio.create_subprocess_exec(
        pyspy, "record", "--pid", str(server.process.pid), "--rate", "1000", "--format", "raw",
        "--threads", "--function", "--full-filenames", "--nonblocking", "--output", str(raw),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    await asyncio.sleep(1.0)  # attaching takes a moment; idle samples are not recorded
    if spy.returncode is not None:
        message = (await spy.stderr.read()).decode(errors="replace").strip() if spy.stderr else ""
        found["pyspy_skipped"] = f"py-spy could not attach: {message[-300:]}"
        return found
    cpu_before, main_before = await cpu_of(http, server)
    await load.run(url, turns)
    cpu_after, main_after = await cpu_of(http, server)
    spy.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
    await spy.communicate()
    if not raw.exists():
        found["pyspy_skipped"] = "py-spy wrote no samples"
        return found
    found["pyspy"] = profiles.pyspy_summary(
        raw, turns, cpu_after - cpu_before, main_after - main_before, args.profile_top
    )
    return found


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--turns", type=int, default=2000, help="measured turns for (b), (c)")
    parser.add_argument(
        "--bare-turns", type=int, default=0, help="measured requests for (a); 0: 5 × turns"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured turns per case first")
    parser.add_argument(
        "--rounds", type=int, default=4, help="split the turns into this many interleaved rounds"
    )
    parser.add_argument("--text", default="help", help="the message text sent every turn")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also measure (c) on this PostgreSQL database (it gets migrated and written to); "
        "`auto` starts a throwaway server with the installed initdb/pg_ctl",
    )
    parser.add_argument(
        "--profile",
        nargs="*",
        choices=["a", "b", "c", "c-pg"],
        help="after measuring, profile these cases' servers (no value: c) in extra batches: "
        "one under cProfile, one under py-spy if installed",
    )
    parser.add_argument("--profile-turns", type=int, default=500, help="turns per profiled batch")
    parser.add_argument("--profile-top", type=int, default=25, help="functions to list")
    parser.add_argument("--json", action="store_true", help="print the result as JSON only")
    args = parser.parse_args(argv)
    if min(args.turns, args.concurrency, args.rounds) < 1 or args.warmup < 0:
        parser.error("--turns, --concurrency and --rounds must be ≥ 1, --warmup ≥ 0")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the bench and print the report; exit 1 if any request failed or a reply is missing."""
    args = parse_args(argv)
    result = asyncio.run(run_bench(args))
    print(json.dumps(result, indent=2) if args.json else render(result))
    complete = all(
        case["errors"] == 0 and case["replies"] in (None, case["turns"])
        for case in result["cases"].values()
    )
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
