"""Requests/s and server CPU per turn: bare aiohttp, a stock botbuilder echo bot, and exitbot.

Each server runs in its own process on a loopback port; a Bot Connector stand-in runs in another;
this process drives the load. CPU per turn is the server process's CPU time (all threads) over a
measured batch, divided by the turns in it. Run: `.venv/bin/python -m bench.turns --help`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench import profiles
from bench.protocol import (
    CPU_PATH,
    PROFILE_START_PATH,
    PROFILE_STOP_PATH,
    READY,
    SENT_PATH,
    message_activity,
)

REPO = Path(__file__).resolve().parent.parent
GOAL = 1 / 3  # (c) CPU per turn over (b) CPU per turn
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
        bodies = iter(list(self._bodies(turns)))  # built before the clock starts
        errors = 0

        async def worker() -> None:
            nonlocal errors
            for body in bodies:  # one shared iterator: the workers take turns from it
                try:
                    async with self._http.post(url, data=body, headers=JSON_HEADERS) as response:
                        await response.read()
                        if response.status >= 300:
                            errors += 1
                except aiohttp.ClientError:
                    errors += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(self._concurrency)))
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


async def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    """Start every server, warm each up, measure in interleaved rounds, optionally profile."""
    work = Path(tempfile.mkdtemp(prefix="exitbot-bench-"))
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
            pg_server, url = await _throwaway_postgres()
            pid_file = pg_server.data / "postmaster.pid"
        cases.append(Case("c-pg", "exitbot `help` (PostgreSQL)", "exitbot", True, url, pid_file))

    profiled = set(args.profile or ()) if args.profile is not None else set()
    if args.profile is not None and not profiled:
        profiled = {"c"}
    connector = ServerProcess("connector", ["connector"], work)
    servers: dict[str, ServerProcess] = {}
    for case in cases:
        extra = ["--database-url", case.database_url] if case.database_url else []
        if case.key in profiled:
            (work / case.key).mkdir()
            extra += ["--profile-dir", str(work / case.key)]
        servers[case.key] = ServerProcess(case.key, [case.kind, *extra], work)

    figures = {case.key: Figures(case.key, case.label) for case in cases}
    profiled_results: dict[str, Any] = {}
    turns_of = {case.key: args.turns for case in cases}
    turns_of["a"] = args.bare_turns or 5 * args.turns
    try:
        async with (
            running([connector, *servers.values()]),
            aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=args.concurrency + 4)
            ) as http,
        ):
            load = Load(http, connector.url, args.text, args.concurrency)
            for case in cases:
                await load.run(servers[case.key].url + "/api/messages", args.warmup)
            for _ in range(args.rounds):
                for case in cases:
                    per_round = max(1, turns_of[case.key] // args.rounds)
                    await measure(
                        http,
                        load,
                        case,
                        servers[case.key],
                        connector,
                        per_round,
                        figures[case.key],
                    )
            for case in cases:
                if case.key in profiled:
                    profiled_results[case.key] = await profile(
                        http, load, servers[case.key], args, work
                    )
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


async def _throwaway_postgres() -> tuple[Any, str]:
    from testkit.pg_server import PostgresServer

    server = await asyncio.to_thread(PostgresServer.start)
    return server, await server.create_database()


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


def report(
    args: argparse.Namespace, figures: dict[str, Figures], profiled: dict[str, Any]
) -> dict[str, Any]:
    """Everything measured, with ratios and the verdict on the goal, as one JSON-able dict."""
    a, b, c = figures["a"], figures["b"], figures["c"]
    ratio_cb = c.cpu_ms_per_turn / b.cpu_ms_per_turn if b.cpu_ms_per_turn else float("nan")
    result: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "processor": _processor(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
        },
        "settings": {
            "turns": args.turns,
            "bare_turns": args.bare_turns or 5 * args.turns,
            "concurrency": args.concurrency,
            "warmup": args.warmup,
            "rounds": args.rounds,
            "text": args.text,
        },
        "cases": {
            key: {
                **{k: v for k, v in asdict(f).items() if k != "batches"},
                "requests_per_second": round(f.requests_per_second, 1),
                "cpu_ms_per_turn": round(f.cpu_ms_per_turn, 3),
                "main_thread_cpu_ms_per_turn": round(f.main_thread_cpu_ms_per_turn, 3),
                "cpu_ms_per_turn_batch_range": _batch_range(f),
                "database_server_cpu_ms_per_turn": (
                    None
                    if f.database_cpu_seconds is None
                    else round(1000 * f.database_cpu_seconds / f.turns, 3)
                ),
                "batches": f.batches,
            }
            for key, f in figures.items()
        },
        "ratios": {
            "cpu_c_over_b": round(ratio_cb, 3),
            "cpu_c_over_a": round(c.cpu_ms_per_turn / a.cpu_ms_per_turn, 2),
            "rps_c_over_b": round(c.requests_per_second / b.requests_per_second, 2),
            "rps_c_over_a": round(c.requests_per_second / a.requests_per_second, 4),
        },
        "goal": {"cpu_c_over_b_at_most": round(GOAL, 2), "met": ratio_cb <= GOAL},
        "profiles": profiled,
    }
    if "c-pg" in figures and b.cpu_ms_per_turn:
        result["ratios"]["cpu_cpg_over_b"] = round(
            figures["c-pg"].cpu_ms_per_turn / b.cpu_ms_per_turn, 3
        )
    return result


def _batch_range(figures: Figures) -> list[float]:
    """The lowest and highest CPU ms per turn among the batches (how noisy the machine was)."""
    per_batch = [1000 * b["cpu_seconds"] / b["turns"] for b in figures.batches if b["turns"]]
    return [round(min(per_batch), 3), round(max(per_batch), 3)] if per_batch else []


def _processor() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def render(result: dict[str, Any]) -> str:
    """The report as a table, the ratios, the verdict and any profiles."""
    lines = [
        f"{result['date']}  {result['machine']['cpus']} CPUs ({result['machine']['processor']}), "
        f"Python {result['machine']['python']}, load avg at end "
        f"{result['machine']['loadavg_at_end']}",
        "settings: " + ", ".join(f"{k}={v}" for k, v in result["settings"].items()),
        "",
        f"{'case':<36} {'turns':>6} {'req/s':>9} {'CPU ms/turn':>12} {'(batches)':>15} "
        f"{'main thread':>12} {'errors':>7} {'replies':>8}",
    ]
    for key, case in result["cases"].items():
        replies = "-" if case["replies"] is None else str(case["replies"])
        low_high = case["cpu_ms_per_turn_batch_range"]
        spread = f"{low_high[0]:.2f}–{low_high[1]:.2f}" if low_high else "-"
        lines.append(
            f"({key}) {case['label']:<{32 - len(key)}} {case['turns']:>6} "
            f"{case['requests_per_second']:>9.1f} {case['cpu_ms_per_turn']:>12.3f} "
            f"{spread:>15} {case['main_thread_cpu_ms_per_turn']:>12.3f} {case['errors']:>7} "
            f"{replies:>8}"
        )
    for key, case in result["cases"].items():
        if (database_ms := case["database_server_cpu_ms_per_turn"]) is not None:
            lines.append(
                f"({key}) the PostgreSQL server's own processes: {database_ms:.3f} ms CPU per turn "
                "on top (not in the column above)"
            )
    ratios = result["ratios"]
    lines += [
        "",
        f"CPU per turn  (c)/(b) = {ratios['cpu_c_over_b']:.3f}   (c)/(a) = "
        f"{ratios['cpu_c_over_a']:.1f}"
        + (f"   (c-pg)/(b) = {ratios['cpu_cpg_over_b']:.3f}" if "cpu_cpg_over_b" in ratios else ""),
        f"requests/s    (c)/(b) = {ratios['rps_c_over_b']:.2f}   (c)/(a) = "
        f"{ratios['rps_c_over_a']:.4f}",
        f"CPU per turn of (c) is {ratios['cpu_c_over_b']:.2f} of (b): goal ≤ 0.33 "
        + ("met" if result["goal"]["met"] else "not met"),
    ]
    for key, found in result["profiles"].items():
        lines += ["", *profiles.render(key, found)]
    return "\n".join(lines)


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
