"""`exitbot privacy erase|export` and `exitbot audit`: a person's data on request, the trail.

Exit codes: 0 done, 1 no such person or departure (nothing changed), 2 the command could not
run (settings, configuration, database, the output file).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from cli.errors import EXIT_OK, CommandFailed
from cli.startup import Started, operator, started
from jobs.retention import answer_keeper
from storage.audit import AUDIT_READ, audit_trail, departure_known, record
from storage.retention import erase_person
from storage.subject_access import Inventory, export_person, inventory

EXIT_UNKNOWN, EXIT_UNUSABLE = 1, 2
ACTOR_DOOR = "cli"


async def _found(run: Started, person: str) -> Inventory:
    """What is stored about `person`; the command stops (exit 1) when that is nothing."""
    found = await inventory(run.db, person)
    if found.empty:
        raise CommandFailed(f"nothing is stored about {found.upn}", EXIT_UNKNOWN)
    return found


def _print_inventory(found: Inventory, *, dry_run: bool, out: TextIO) -> None:
    verb = "would erase" if dry_run else "erasing"
    print(f"{verb} the data of {found.upn} (rows per table):", file=out)
    for table, count in found.rows.items():
        if count:
            print(f"  {table}: {count}", file=out)
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


async def _erase(person: str, dry_run: bool, out: TextIO) -> int:
    async with started(with_config=True, unusable=EXIT_UNUSABLE) as run:
        found = await _found(run, person)
        _print_inventory(found, dry_run=dry_run, out=out)
        if dry_run:
            print("dry run: nothing was changed", file=out)
            return EXIT_OK
        counts = await erase_person(
            run.db,
            person,
            keep_answer=answer_keeper(run.config),
            actor=operator(ACTOR_DOOR),
            now=run.clock.now(),
        )
    print(f"erased: {counts.summary() or 'nothing'}", file=out)
    return EXIT_OK


def erase_command(person: str, *, dry_run: bool, out: TextIO = sys.stdout) -> int:
    """Erase what the bot holds about `person` (a UPN); with `dry_run`, only list it."""
    return asyncio.run(_erase(person, dry_run, out))


async def _export(person: str, file: Path, out: TextIO) -> int:
    async with started(with_config=False, unusable=EXIT_UNUSABLE) as run:
        found = await _found(run, person)
        try:
            # Created before the export is recorded, so a bad path changes nothing.
            handle = file.open("x", encoding="utf-8")
        except FileExistsError:
            raise CommandFailed(
                f"{file}: the file exists; choose a new name", EXIT_UNUSABLE
            ) from None
        except OSError as exc:
            raise CommandFailed(
                f"{file}: cannot write the file ({exc.strerror})", EXIT_UNUSABLE
            ) from None
        with handle:
            document = await export_person(
                run.db, person, actor=operator(ACTOR_DOOR), now=run.clock.now()
            )
            json.dump(document, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
    listed = ", ".join(
        f"{key}: {len(value)}" for key, value in document.items() if isinstance(value, list)
    )
    print(f"wrote the data of {found.upn} to {file} ({listed})", file=out)
    return EXIT_OK


def export_command(person: str, file: Path, *, out: TextIO = sys.stdout) -> int:
    """Write what the bot holds about `person` to `file` as JSON."""
    return asyncio.run(_export(person, file, out))


def _line(entry: Any) -> str:
    detail = " ".join(f"{key}={value}" for key, value in sorted(entry.detail.items()))
    at = entry.at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{at}  {entry.actor}  {entry.action}" + (f"  {detail}" if detail else "")


async def _audit(departure_id: str, out: TextIO) -> int:
    async with started(with_config=False, unusable=EXIT_UNUSABLE) as run:
        if not await departure_known(run.db, departure_id):
            raise CommandFailed(f"no departure with id {departure_id}", EXIT_UNKNOWN)
        for entry in await audit_trail(run.db, departure_id):
            print(_line(entry), file=out)
        # Reading the trail is itself a read of who did what.
        await record(
            run.db,
            at=run.clock.now(),
            actor=operator(ACTOR_DOOR),
            action=AUDIT_READ,
            departure_id=departure_id,
            detail={},
        )
    return EXIT_OK


def audit_command(departure_id: str, *, out: TextIO = sys.stdout) -> int:
    """List who read or changed what about a departure, when: one line each, no message text."""
    return asyncio.run(_audit(departure_id, out))
