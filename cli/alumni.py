"""`exitbot alumni export|withdraw`: the leavers who consented to alumni or re-hire contact.

Only consented entries are listed (a leaver's private e-mail, given on their farewell or
thank-you card); they outlive retention until the person withdraws. Each export and withdrawal
is audited, never with an address.

Exit codes: 0 done, 1 no entry with that e-mail, 2 the command could not run (settings,
configuration, database, the output file).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from cli.errors import EXIT_OK, CommandFailed
from cli.startup import operator, started
from storage.alumni import SqlAlumni, alumni_csv
from storage.audit import record

EXIT_UNKNOWN, EXIT_UNUSABLE = 1, 2
ACTOR_DOOR = "cli"


async def _export(unit: str | None, output: Path | None, out: TextIO, err: TextIO) -> int:
    async with started(with_config=False, unusable=EXIT_UNUSABLE) as run:
        contacts = await SqlAlumni(run.db).listed(unit)
        text = alumni_csv(contacts)
        if output is None:
            out.write(text)
        else:
            try:
                with output.open("x", encoding="utf-8", newline="") as file:
                    file.write(text)
            except FileExistsError:
                raise CommandFailed(f"{output}: the file exists already", EXIT_UNUSABLE) from None
            except OSError as exc:
                raise CommandFailed(
                    f"{output}: cannot write the file ({exc.strerror})", EXIT_UNUSABLE
                ) from None
        detail = {"count": str(len(contacts)), **({"unit": unit} if unit else {})}
        await record(
            run.db,
            at=run.clock.now(),
            actor=operator(ACTOR_DOOR),
            action="alumni.exported",
            detail=detail,
        )
    where = f"to {output}" if output is not None else "above"
    print(f"{len(contacts)} alumni contact(s) {where} ({unit or 'every unit'})", file=err)
    return EXIT_OK


def export_command(
    unit: str | None,
    output: Path | None,
    *,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Write the alumni list as CSV to `output` (a new file) or to standard output."""
    return asyncio.run(_export(unit, output, out, err))


async def _withdraw(email: str, out: TextIO) -> int:
    async with started(with_config=False, unusable=EXIT_UNUSABLE) as run:
        removed = await SqlAlumni(run.db).delete_email(email)
        if not removed:
            raise CommandFailed("no alumni contact has that e-mail", EXIT_UNKNOWN)
        await record(
            run.db,
            at=run.clock.now(),
            actor=operator(ACTOR_DOOR),
            action="alumni.withdrawn",
            detail={"count": str(removed)},
        )
    print(f"withdrawn: {removed} alumni contact(s) deleted", file=out)
    return EXIT_OK


def withdraw_command(email: str, *, out: TextIO = sys.stdout) -> int:
    """Delete the consent of whoever gave `email` (they asked HR, e.g. after leaving)."""
    return asyncio.run(_withdraw(email, out))
