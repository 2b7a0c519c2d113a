"""HR's actions per leaver, from registration to a closed departure, for each door (issue 16).

    .venv/bin/python -m bench.hr_actions --leavers 20

For each door the real service runs on loopback (bench.hr_rig: local mode, SQLite, a generated
people file, HR's YAML), HR registers N leavers through that door (bench.hr_doors), the clock
moves past the day each case closes and the service starts again (the closing job runs at
start); every departure must then be closed and record the door it came through. What is
counted: each message HR types to the bot and each card button HR presses; for the CSV door,
each row HR fills in and the saving and import of the file, once per file. What the service
does on its own (the check of Entra, the offers, reminders, closing) is not HR's. The goal:
zero with Entra auto. Exit status 1 if a door did not take every leaver to closed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.flow_people import leavers
from bench.hr_doors import CSV, TEAMS, DoorRun, entra_doors
from bench.hr_rig import HrRig, Tally, running
from bench.hr_setup import last_working_day, migrated_template

WHAT_IS_COUNTED = (
    "Counted: each message HR types to the bot, each card button HR presses, and for the CSV "
    "door each row HR fills in plus saving and importing the file (one per file). Not counted: "
    "what the service does by itself (reading Entra, offers, reminders, closing the case)."
)


@dataclass
class Row:
    """One door's figures."""

    door: DoorRun
    leavers: int
    tally: Tally
    closed: int = 0
    seconds: float = 0.0
    problem: str | None = None

    @property
    def per_leaver(self) -> float:
        return self.tally.total / self.leavers if self.leavers else 0.0

    def what(self) -> str:
        if not self.tally.actions:
            return "none"
        return "; ".join(f"{count} × {what}" for what, count in self.tally.actions.items())


async def measured(door: DoorRun, count: int, work: Path, template: Path | None = None) -> Row:
    """HR registers `count` leavers through `door`; every departure is then taken to closed."""
    everyone = leavers(count)
    slug = "".join(c if c.isalnum() else "-" for c in door.name.lower())
    rig = HrRig(work / slug, everyone, door.departures, template=template)
    rig.hr_chats_first = door.hr_chats_first
    last_day = last_working_day(rig.today())
    if door.leave_dates:
        rig.leave_dates = {leaver.user.upn: last_day for leaver in everyone}
        rig.attributes = door.attributes
    row = Row(door, count, rig.tally)
    began = time.perf_counter()
    try:
        async with running(rig):
            await door.register(rig, last_day)
            await rig.all_departures(
                lambda d: d.registered_via is door.door, f"every leaver registered ({door.door})"
            )
            await rig.closes_all()
            row.closed = count
    except RuntimeError as exc:
        row.problem = str(exc)
        row.closed = sum(d.status.value == "closed" for d in (await rig.departures_now()).values())
    row.seconds = time.perf_counter() - began
    return row


async def measure(doors: Sequence[DoorRun], count: int, work: Path) -> list[Row]:
    """Each door in turn, each on a service and database of its own (migrated once)."""
    template = await migrated_template(work)
    return [await measured(door, count, work, template) for door in doors]


def table(rows: Sequence[Row]) -> str:
    """The table the issue asks for, with what each door's actions were."""
    lines = [
        f"{'door':<22} {'HR actions in all':>17} {'per leaver':>10}  {'closed':>7}  what they were",
    ]
    for row in rows:
        lines.append(
            f"{row.door.name:<22} {row.tally.total:>17} {row.per_leaver:>10.2f}  "
            f"{row.closed:>3}/{row.leavers:<3}  {row.what()}"
        )
    for row in rows:
        if row.problem:
            lines.append(f"{row.door.name}: {row.problem}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leavers", type=int, default=20, help="leavers per door (20)")
    parser.add_argument(
        "--doors",
        nargs="+",
        choices=["teams", "csv", "entra"],
        default=["teams", "csv", "entra"],
        help="which doors (all)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL, stream=sys.stderr)
    doors = [
        *([TEAMS] if "teams" in args.doors else []),
        *([CSV] if "csv" in args.doors else []),
        *(entra_doors() if "entra" in args.doors else []),
    ]
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hr-actions-") as work:
        rows = asyncio.run(measure(doors, args.leavers, Path(work)))
    print(
        f"HR's actions per leaver, registration to a closed departure: {args.leavers} leavers "
        f"per door, each door on its own service and SQLite file "
        f"({time.perf_counter() - began:.0f} s)\n"
    )
    print(table(rows))
    print(f"\n{WHAT_IS_COUNTED}")
    entra_auto = [row for row in rows if row.door.name == "Entra, auto"]
    if entra_auto:
        verdict = "met" if entra_auto[0].tally.total == 0 else "NOT met"
        print(f"Goal: zero HR actions with Entra auto: {verdict}")
    return 1 if any(row.problem for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
