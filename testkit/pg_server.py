"""A throwaway PostgreSQL server for tests, started from the installed initdb and pg_ctl."""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import asyncpg

SUPERUSER = "exitbot"
# PostgreSQL refuses to run as root; these accounts are tried in order when we are root.
UNPRIVILEGED_USERS = ("postgres", "nobody")
START_ATTEMPTS = 3


class PostgresNotInstalled(RuntimeError):
    """No initdb/pg_ctl found: the PostgreSQL tests cannot run here."""


class PostgresStartFailed(RuntimeError):
    """initdb or pg_ctl failed; the message carries the end of the server log."""


def find_bin_dir() -> Path | None:
    """The directory holding initdb and pg_ctl: on PATH, else the newest Debian install."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    candidates = [
        path
        for path in Path("/usr/lib/postgresql").glob("*/bin")
        if (path / "pg_ctl").exists() and (path / "initdb").exists()
    ]

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))

    return max(candidates, key=version, default=None)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _unprivileged_account() -> pwd.struct_passwd | None:
    """The account to run the server as, or None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in UNPRIVILEGED_USERS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresStartFailed(
        f"running as root and none of the users {UNPRIVILEGED_USERS} exists to run PostgreSQL"
    )


class PostgresServer:
    """One PostgreSQL cluster in a temp dir, on a loopback port, with trust authentication."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.account = _unprivileged_account()
        self.root = Path(tempfile.mkdtemp(prefix="exitbot-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = 0
        self.startup_seconds = 0.0
        self._running = False
        self._numbers = itertools.count(1)
        if self.account is not None:
            # The temp dir is root's 0700 dir; the server account must own it.
            os.chown(self.root, self.account.pw_uid, self.account.pw_gid)

    @classmethod
    def start(cls, bin_dir: Path | None = None) -> PostgresServer:
        """initdb + pg_ctl start; stopped again at interpreter exit if nobody stops it first."""
        found = bin_dir or find_bin_dir()
        if found is None:
            raise PostgresNotInstalled(
                "PostgreSQL is not installed: no initdb/pg_ctl on PATH or under "
                "/usr/lib/postgresql/*/bin (apt-get install postgresql)"
            )
        server = cls(found)
        atexit.register(server.stop)
        began = time.monotonic()
        try:
            server._initdb()
            server._listen()
        except BaseException:
            server.stop()
            raise
        server.startup_seconds = time.monotonic() - began
        return server

    def _run(self, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", HOME=str(self.root))
        account = self.account
        return subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            env=env,
            cwd=self.root,
            timeout=60,
            check=False,
            user=account.pw_uid if account else None,
            group=account.pw_gid if account else None,
            extra_groups=[] if account else None,
        )

    def _initdb(self) -> None:
        done = self._run(
            [
                "initdb",
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",  # the cluster lives for one test session
            ]
        )
        if done.returncode != 0:
            raise PostgresStartFailed(f"initdb failed:\n{done.stdout}\n{done.stderr}")

    def _pg_ctl_start(self) -> subprocess.CompletedProcess[str]:
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.root}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
            ]
        )
        return self._run(
            [
                "pg_ctl",
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-w",
                "-t",
                "60",
                "-o",
                f"-p {self.port} {options}",
                "start",
            ]
        )

    def halt(self) -> None:
        """Stop the server and keep its data: a database outage, until resume()."""
        done = self._run(["pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"])
        if done.returncode != 0:
            raise PostgresStartFailed(f"pg_ctl stop failed:\n{done.stdout}\n{done.stderr}")
        self._running = False

    def resume(self) -> None:
        """Start a halted server again, on the same port, with its data."""
        done = self._pg_ctl_start()
        if done.returncode != 0:
            raise PostgresStartFailed(
                f"pg_ctl start failed:\n{done.stdout}\n{done.stderr}\n{self._log_tail()}"
            )
        self._running = True

    def _listen(self) -> None:
        for _ in range(START_ATTEMPTS):
            self.port = _free_port()
            done = self._pg_ctl_start()
            if done.returncode == 0:
                self._running = True
                return
            # Another process may have taken the port between probing and binding.
            if "could not bind" not in self._log_tail():
                break
        raise PostgresStartFailed(
            f"pg_ctl start failed:\n{done.stdout}\n{done.stderr}\n{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def url(self, database: str = "postgres") -> str:
        """An asyncpg SQLAlchemy URL for `database` on this server."""
        return f"postgresql+asyncpg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    async def create_database(self) -> str:
        """Create a new, empty database and return its URL."""
        name = f"test_{next(self._numbers)}"
        connection = await asyncpg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, database="postgres", timeout=10
        )
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        return self.url(name)

    async def add_password_role(self, role: str, password: str) -> None:
        """A login role that must give `password` over TCP (everyone else stays on trust)."""
        connection = await asyncpg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, database="postgres", timeout=10
        )
        try:
            await connection.execute("SET password_encryption = 'scram-sha-256'")
            exists = await connection.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
            verb = "ALTER" if exists else "CREATE"
            await connection.execute(f"{verb} ROLE \"{role}\" LOGIN PASSWORD '{password}'")
            hba = self.data / "pg_hba.conf"
            rule = f"host all {role} 127.0.0.1/32 scram-sha-256\n"
            if rule not in hba.read_text():
                hba.write_text(rule + hba.read_text())  # the first matching line wins
            await connection.execute("SELECT pg_reload_conf()")
        finally:
            await connection.close()

    def stop(self) -> None:
        """Stop the server and remove its files; safe to call twice."""
        if self._running:
            self._running = False
            self._run(["pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)
