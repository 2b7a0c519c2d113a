"""Running the installed `exitbot` console script as an operator would, for the CLI tests."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any

import aiohttp

from testkit.waiting import wait_until

# The console script, as installed: `python -m` would put the working directory on sys.path.
EXITBOT = [str(Path(sys.executable).parent / "exitbot")]
REPO = Path(__file__).resolve().parents[2]


def command_env(**values: str) -> dict[str, str]:
    """This process's environment without exitbot's settings, plus `values`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_", "EXITBOT_"))}
    env.pop("DATABASE_URL", None)
    env.update(values)
    return env


async def run_exitbot(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `exitbot ARGS`."""
    process = await asyncio.create_subprocess_exec(
        *EXITBOT, *args, env=env, cwd=cwd, stdout=-1, stderr=-1
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode(), err.decode()


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def serving(
    env: dict[str, str], *, stderr: IO[bytes] | int = asyncio.subprocess.DEVNULL
) -> AsyncIterator[dict[str, Any]]:
    """`exitbot serve` with `env` (its EXITBOT_PORT) until the block ends; yields the first
    healthy answer of /healthz. The service is stopped with SIGTERM and waited for."""
    url = f"http://127.0.0.1:{env['EXITBOT_PORT']}/healthz"
    process = await asyncio.create_subprocess_exec(
        *EXITBOT, "serve", env=env, cwd=REPO, stdout=asyncio.subprocess.DEVNULL, stderr=stderr
    )
    answers: list[dict[str, Any]] = []
    try:
        async with aiohttp.ClientSession() as http:

            async def healthy() -> bool:
                try:
                    async with http.get(url) as response:
                        if response.status == 200:
                            answers.append(await response.json())
                        return bool(answers)
                except aiohttp.ClientConnectionError:
                    return False

            await wait_until(healthy, what="exitbot serve answers /healthz")
        yield answers[0]
    finally:
        process.terminate()
        await process.wait()
