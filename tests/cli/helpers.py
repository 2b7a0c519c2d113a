"""Running the installed `exitbot` console script as an operator would, for the CLI tests."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

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
