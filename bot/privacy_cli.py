"""`exitbot privacy erase|export` and `exitbot audit`: a person's data on request, the trail.

Exit codes: 0 done, 1 no such person or departure (nothing changed), 2 the command could not
run (settings, configuration, database, the output file).
"""

from __future__ import annotations

import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from config.loaded import LoadedConfig
    from storage.database import Database

EXIT_OK, EXIT_UNKNOWN, EXIT_UNUSABLE = 0, 1, 2


class _Unusable(Exception):
    """The command cannot run; the message says why."""


def _fail(message: str, code: int = EXIT_UNUSABLE) -> int:
    print(f"exitbot: {message}", file=sys.stderr)
    return code


def actor() -> str:
    """How the audit log names whoever runs these commands."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no user name in some containers
        return "cli"


async def _with_database(
    work: Callable[[Database, LoadedConfig], Awaitable[int]], *, needs_config: bool = False
) -> int:
    from bot.settings import PeopleSettings, SettingsError, load_settings
    from config.loader import ConfigError, load_config
    from storage.database import Database, DatabaseUnavailable
    from storage.migrate import SchemaOutOfDate, check_schema

    try:
        settings = load_settings(PeopleSettings)
        config = load_config(settings.resolved_config_dir) if needs_config else None
    except SettingsError as exc:
        return _fail(str(exc))
    except ConfigError as exc:
        return _fail("; ".join(str(problem) for problem in exc.problems))
    try:
        db = await Database.open(settings.database_url)
    except DatabaseUnavailable as exc:
        return _fail(str(exc))
    try:
        await check_schema(db)
        return await work(db, config)  # type: ignore[arg-type]
    except SchemaOutOfDate as exc:
        return _fail(str(exc))
    except _Unusable as exc:
        return _fail(str(exc))
    finally:
        await db.close()


def _print_counts(rows: dict[str, int], out: TextIO) -> None:
    for table, count in rows.items():
        if count:
            print(f"  {table}: {count}", file=out)


def erase_command(person: str, *, dry_run: bool, out: TextIO = sys.stdout) -> int:
    """Erase what the bot holds about `person` (a UPN); with `dry_run`, only list it."""
    from jobs.retention import answer_keeper
    from journey.clock import SystemClock
    from storage.privacy import erase_person, inventory

    async def work(db: Database, config: LoadedConfig) -> int:
        found = await inventory(db, person)
        if found.empty:
            return _fail(f"nothing is stored about {found.upn}", EXIT_UNKNOWN)
        verb = "would erase" if dry_run else "erasing"
        print(f"{verb} the data of {found.upn} (rows per table):", file=out)
        _print_counts(found.rows, out)
        if found.other_roles:
            print(
                f"  kept: {found.other_roles} departure(s) of other leavers where "
                f"{found.upn} is the manager or the interviewer (they go with that leaver's "
                "retention; reassign them in HR's system)",
                file=out,
            )
        print(
            "  kept anonymously: the departure's unit, month and outcome, and the counted "
            "answers of a sent survey, under a new random id",
            file=out,
        )
        if dry_run:
            print("dry run: nothing was changed", file=out)
            return EXIT_OK
        counts = await erase_person(
            db,
            person,
            keep_answer=answer_keeper(config),
            actor=actor(),
            now=SystemClock().now(),
        )
        print(f"erased: {counts.summary() or 'nothing'}", file=out)
        return EXIT_OK

    return asyncio.run(_with_database(work, needs_config=True))


def export_command(person: str, file: Path, *, out: TextIO = sys.stdout) -> int:
    """Write what the bot holds about `person` to `file` as JSON."""
    from journey.clock import SystemClock
    from storage.privacy import export_person, inventory

    async def work(db: Database, _config: LoadedConfig) -> int:
        found = await inventory(db, person)
        if found.empty:
            return _fail(f"nothing is stored about {found.upn}", EXIT_UNKNOWN)
        try:
            # Created before the export is recorded, so a bad path changes nothing.
            handle = file.open("x", encoding="utf-8")
        except FileExistsError:
            raise _Unusable(f"{file}: the file exists; choose a new name") from None
        except OSError as exc:
            raise _Unusable(f"{file}: cannot write the file ({exc.strerror})") from None
        with handle:
            document = await export_person(db, person, actor=actor(), now=SystemClock().now())
            json.dump(document, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
        listed = ", ".join(
            f"{key}: {len(value)}" for key, value in document.items() if isinstance(value, list)
        )
        print(f"wrote the data of {found.upn} to {file} ({listed})", file=out)
        return EXIT_OK

    return asyncio.run(_with_database(work))


def _line(entry: Any) -> str:
    detail = " ".join(f"{key}={value}" for key, value in sorted(entry.detail.items()))
    at = entry.at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{at}  {entry.actor}  {entry.action}" + (f"  {detail}" if detail else "")


def audit_command(departure_id: str, *, out: TextIO = sys.stdout) -> int:
    """List who read or changed what about a departure, when: one line each, no message text."""
    from journey.clock import SystemClock
    from storage.privacy import AUDIT_READ, audit_trail, departure_known, record

    async def work(db: Database, _config: LoadedConfig) -> int:
        if not await departure_known(db, departure_id):
            return _fail(f"no departure with id {departure_id}", EXIT_UNKNOWN)
        for entry in await audit_trail(db, departure_id):
            print(_line(entry), file=out)
        # Reading the trail is itself a read of who did what.
        await record(
            db,
            at=SystemClock().now(),
            actor=actor(),
            action=AUDIT_READ,
            departure_id=departure_id,
            detail={},
        )
        return EXIT_OK

    return asyncio.run(_with_database(work))
