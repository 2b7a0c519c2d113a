"""How a command stops: one line on stderr and an exit code, printed by `cli.main` alone.

`explained` turns the failures an operator causes and can fix (a busy port, a database that
refuses the service's login) into such a line, wherever in a command they surface.
"""

from __future__ import annotations

import errno
import re
import sqlite3
from collections.abc import Iterator

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

# PostgreSQL's SQLSTATE for "permission denied" (insufficient_privilege).
INSUFFICIENT_PRIVILEGE = "42501"
# SQLite's primary result code for a file it may not write (SQLITE_READONLY).
SQLITE_READONLY = 8
# asyncio's message for a bind that failed names the address as a tuple: ('127.0.0.1', 3978).
_BIND_ADDRESS = re.compile(r"\('([^']*)', (\d+)")
# How far to follow `raise ... from` and the DBAPI error SQLAlchemy wraps.
_MAX_DEPTH = 8
DATABASE_ROLES_DOC = "docs/operations.md"


class CommandFailed(Exception):
    """The command stops; the message says why (one line), `code` is the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _chain(error: BaseException) -> Iterator[BaseException]:
    """`error`, the DBAPI error it wraps (`.orig`) and its causes, nearest first."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending and len(seen) < _MAX_DEPTH:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for inner in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(inner, BaseException):
                pending.append(inner)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _listen_failed(error: OSError) -> CommandFailed | None:
    found = _BIND_ADDRESS.search(str(error))
    where = f"port {found[2]} on {found[1]}" if found else "the port"
    if error.errno == errno.EADDRINUSE:
        return CommandFailed(
            f"{where} is already in use (another exitbot, or another program): stop it, or "
            "choose a free port with EXITBOT_PORT (serve: --port)",
            EXIT_INVALID,
        )
    if error.errno == errno.EACCES and found:
        return CommandFailed(
            f"not allowed to listen on {where} (ports below 1024 need privileges): "
            "choose a port from 1024 up with EXITBOT_PORT (serve: --port)",
            EXIT_INVALID,
        )
    if error.errno == errno.EADDRNOTAVAIL and found:
        return CommandFailed(
            f"{found[1]} is not an address of this machine: set EXITBOT_HOST to one of its "
            "addresses (0.0.0.0 for all, 127.0.0.1 for this machine only)",
            EXIT_INVALID,
        )
    return None


def _database_refused(error: BaseException) -> CommandFailed | None:
    if getattr(error, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
        return CommandFailed(
            f"the database refused this login: {_first_line(error)}: an administrator grants "
            "it exitbot's owner role once with `exitbot db grant <login>` "
            f"({DATABASE_ROLES_DOC}), or set DATABASE_URL to a login that has it",
            EXIT_INVALID,
        )
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(error, sqlite3.Error) and (
        (code is not None and code & 0xFF == SQLITE_READONLY) or "readonly" in str(error)
    ):
        return CommandFailed(
            f"SQLite may not write the database file: {_first_line(error)}: give the "
            "service's user write access to the file and its directory (SQLite writes a "
            "journal next to it), or set DATABASE_URL to a file it may write",
            EXIT_INVALID,
        )
    return None


def explained(error: BaseException) -> CommandFailed | None:
    """A one-line CommandFailed for a failure the operator can fix, else None (a bug)."""
    for inner in _chain(error):
        if isinstance(inner, CommandFailed):
            return inner
        if isinstance(inner, OSError) and (failed := _listen_failed(inner)):
            return failed
        if failed := _database_refused(inner):
            return failed
    return None
