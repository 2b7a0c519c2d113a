"""Start-to-ready of `exitbot serve` (process start to the first 200 from /healthz) against the
time a fresh interpreter takes to import botbuilder.core; and a process that burns one core.

Both run with the same warm bytecode cache: the installed packages ship their .pyc files, but
the checkout's own modules have none when PYTHONDONTWRITEBYTECODE is set (as in this machine's
shell and the image), so `serve` used to compile ~29,000 lines of ours at every start (~0.5 s
CPU) while the import it was compared with read compiled bytecode. Both children now read (and
write) their bytecode under one PYTHONPYCACHEPREFIX, warmed by one untimed run of each, as an
image that runs `compileall` at build time starts. Run alone: `python -m bench.startup`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parent.parent
# Python validates a cached .pyc against its source's size and mtime, so a stale one is never used.
BYTECODE = REPO / "var" / "bench-pycache"
READY_DEADLINE = 60.0
HEALTH_POLL = 0.01  # seconds between GET /healthz while the service starts


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _clean_env(**settings: str) -> dict[str, str]:
    """The caller's environment without its service settings, plus `settings`; bytecode is
    read from and written to BYTECODE (the same for every child, so the same for both sides)."""
    foreign = ("EXITBOT_", "MICROSOFT_", "DATABASE_URL", "TO_BOT_FROM_CHANNEL_", "PYTHONDONTWRITE")
    kept = {k: v for k, v in os.environ.items() if not k.startswith(foreign)}
    return {**kept, "PYTHONPYCACHEPREFIX": str(BYTECODE), **settings}


async def import_seconds() -> tuple[float, float]:
    """Wall seconds from starting `python -c "import botbuilder.core"` until it exits, and the
    CPU seconds it used (user + system)."""
    cpu_before = _children_cpu()
    began = time.perf_counter()
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import botbuilder.core", cwd=REPO, env=_clean_env()
    )
    if await child.wait() != 0:
        raise RuntimeError("importing botbuilder.core failed")
    return time.perf_counter() - began, _children_cpu() - cpu_before


def _children_cpu() -> float:
    """CPU seconds of this process's children that have ended and been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def ready_seconds(
    http: aiohttp.ClientSession, database_url: str, log: Path
) -> tuple[float, float]:
    """Wall seconds from starting `exitbot serve` (local mode, a migrated database) until
    GET /healthz answers 200, and the CPU seconds the service used until then."""
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
                        return time.perf_counter() - began, _process_cpu(child.pid)
            await asyncio.sleep(HEALTH_POLL)
        raise RuntimeError(f"exitbot serve was not ready within {READY_DEADLINE:.0f} s; see {log}")
    finally:
        if child.returncode is None:
            child.terminate()
            await child.wait()


async def start_to_ready(database_url: str, work: Path, repeat: int) -> dict[str, float]:
    """Both timed `repeat` times, taking turns; the medians and their ratio (wall, and CPU:
    steadier on a shared machine)."""
    from storage.migrate import upgrade

    await upgrade(database_url)
    imports, readies = [], []
    async with aiohttp.ClientSession() as http:
        # Untimed: fills the bytecode cache of both (the first time, a few seconds).
        await import_seconds()
        await ready_seconds(http, database_url, work / "serve.stderr")
        for _ in range(repeat):
            imports.append(await import_seconds())
            readies.append(await ready_seconds(http, database_url, work / "serve.stderr"))
    both = (imports, readies)
    imported, ready = (statistics.median(wall for wall, _ in runs) for runs in both)
    import_cpu, ready_cpu = (statistics.median(cpu for _, cpu in runs) for runs in both)
    return {
        "import_botbuilder_seconds": round(imported, 3),
        "serve_ready_seconds": round(ready, 3),
        "ratio": round(ready / imported, 2),
        "import_botbuilder_cpu_seconds": round(import_cpu, 3),
        "serve_ready_cpu_seconds": round(ready_cpu, 3),
        "cpu_ratio": round(ready_cpu / import_cpu, 2),
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


def main() -> None:
    """`python -m bench.startup [--repeat N]`: the medians and the ratio, on a throwaway
    SQLite file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="times each is timed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exitbot-startup-") as folder:
        work = Path(folder)
        url = f"sqlite+aiosqlite:///{work / 'ready.sqlite3'}"
        figures = asyncio.run(start_to_ready(url, work, args.repeat))
    print(json.dumps(figures))
    print(
        f"start to ready: exitbot serve {figures['serve_ready_seconds']:.3f} s, import "
        f"botbuilder.core {figures['import_botbuilder_seconds']:.3f} s: {figures['ratio']:.2f}× "
        f"(median of {args.repeat}; goal ≤ 1.5×)"
    )
    print(
        f"CPU to ready: {figures['serve_ready_cpu_seconds']:.3f} s against "
        f"{figures['import_botbuilder_cpu_seconds']:.3f} s: {figures['cpu_ratio']:.2f}×"
    )


if __name__ == "__main__":
    main()
