"""The doors of bench.hr_actions: how HR registers the leavers through each, counting every
action HR takes (bench.hr_rig.Tally); the leave dates of the Entra doors are in the people file
before the service starts."""

from __future__ import annotations

import asyncio
import csv
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bench.drive import REPO
from bench.flow_cards import Card, press, verbs_of
from bench.flow_people import UNIT
from bench.hr_rig import HrRig
from cards import verbs
from cli.departures_csv import COLUMNS
from dialogs.commands import Command, word_for
from journey.departure import Door
from journey.leave_dates import FindingState

# Settings the CSV import must not pick up from the caller's shell: the rig sets its own.
_FOREIGN_ENV = ("EXITBOT_", "MICROSOFT_", "DATABASE_URL", "GRAPH_")

TEAMS_MESSAGE = "message 'register' (the bot answers with the form)"
TEAMS_SUBMIT = "register.submit (the form filled in: leaver, unit, last day)"
CSV_ROW = "a row of the spreadsheet filled in (leaver, unit, last day)"
CSV_IMPORT = "the file saved as CSV and imported (`exitbot departures import`)"
ENTRA_COMMAND = "message 'leave dates' (the bot answers with the card of leave dates)"
ENTRA_ALL = "leave_dates.confirm_all (Register all, a page of up to 15 at a time)"
ENTRA_ONE = "leave_dates.confirm (Register, on one leaver's row)"
ENTRA_DEPARTMENT = "Social og Sundhed"  # each leaver's department in Entra ID
CONFIRM_ALL = verbs.LEAVE_DATES_CONFIRM_ALL
CONFIRM = verbs.LEAVE_DATES_CONFIRM


@dataclass(frozen=True)
class DoorRun:
    """One door: its name in the table, how HR registers the leavers through it, the door the
    departures must record, and organisation.yaml's `departures` for it (None: as shipped)."""

    name: str
    register: Callable[[HrRig, date], Awaitable[None]]
    door: Door
    departures: dict[str, Any] | None = None
    leave_dates: bool = False  # each leaver has Entra's leave date on the last working day
    attributes: dict[str, str] = field(default_factory=dict)  # each leaver's, in Entra
    # HR wrote to the bot before (not counted), so the bot can send HR the card of leave dates.
    hr_chats_first: bool = False


async def teams_form(rig: HrRig, last_day: date) -> None:
    """HR writes `register`, fills in the form the bot answers with, and sends it; per leaver."""
    for leaver in rig.leavers:
        before = len(rig.cards_to_hr())
        await rig.says("register", TEAMS_MESSAGE)
        form = await rig.card_to_hr("register.submit", after=before)
        data = press(form, "register.submit") or {}
        data.update(
            leaver=leaver.user.upn,
            manager="",  # the directory's manager
            unit=UNIT,
            last_working_day=last_day.isoformat(),
            locale="",  # the directory's language
            departure_type="resignation",
        )
        card = await rig.presses("register.submit", data, TEAMS_SUBMIT)
        if "register.change_day" not in str(card):
            raise RuntimeError("the form was answered without the registered departure's card")


async def csv_import(rig: HrRig, last_day: date) -> None:
    """HR fills in a row per leaver, saves the sheet as CSV and imports it: one file."""
    path = rig.work / "departures.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, restval="")  # the import's own columns
        writer.writeheader()
        for n, leaver in enumerate(rig.leavers, start=1):
            row = {"external_id": f"hr-{n}", "leaver": leaver.user.upn, "unit": UNIT}
            writer.writerow({**row, "last_working_day": last_day.isoformat()})
            rig.tally.add(CSV_ROW)
    rig.tally.add(CSV_IMPORT)
    env = {k: v for k, v in os.environ.items() if not k.startswith(_FOREIGN_ENV)}
    env.update(rig.environment())
    command = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", "departures", "import", str(path),
        cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await command.communicate()
    if command.returncode != 0:
        raise RuntimeError(
            f"the import failed ({command.returncode}):\n{out.decode()}{err.decode()}"
        )


TEAMS = DoorRun("Teams form", teams_form, Door.TEAMS)
CSV = DoorRun("CSV import", csv_import, Door.CSV)


def entra_doors() -> list[DoorRun]:
    """The Entra doors: HR's YAML takes departures from Entra ID (organisation.yaml as shipped,
    with the mode set), and each leaver's leave date and department are in the directory."""
    return [
        _entra("Entra, confirm all", "confirm", entra_confirm_all),
        _entra("Entra, confirm each", "confirm", entra_confirm_each),
        _entra("Entra, auto", "auto", entra_auto),
    ]


def _entra(name: str, mode: str, register: Callable[[HrRig, date], Awaitable[None]]) -> DoorRun:
    departures = {
        "source": "entra",
        "entra": {
            "mode": mode,
            "unit_from": {"attribute": "department", "values": {ENTRA_DEPARTMENT: UNIT}},
        },
    }
    return DoorRun(
        name,
        register,
        Door.ENTRA,
        departures,
        leave_dates=True,
        attributes={"department": ENTRA_DEPARTMENT},
        hr_chats_first=mode == "confirm",
    )


async def entra_auto(rig: HrRig, last_day: date) -> None:
    """Nothing for HR: the check at start registers every leaver by itself."""


async def entra_confirm_all(rig: HrRig, last_day: date) -> None:
    """HR presses "Register all N" on the card of leave dates, once per page of it."""
    card = await _leave_dates_card(rig)
    while CONFIRM_ALL in verbs_of(card):
        card = await rig.presses(CONFIRM_ALL, press(card, CONFIRM_ALL) or {}, ENTRA_ALL)


async def entra_confirm_each(rig: HrRig, last_day: date) -> None:
    """HR presses "Register" on each leaver's row instead."""
    card = await _leave_dates_card(rig)
    while CONFIRM in verbs_of(card):
        card = await rig.presses(CONFIRM, press(card, CONFIRM) or {}, ENTRA_ONE)


async def _leave_dates_card(rig: HrRig) -> Card:
    """HR's card of leave dates once the check has proposed every leaver: the one the bot sent
    HR, or else (it went to another HR contact, or none) the one HR asks for."""
    await rig.findings(FindingState.TO_CONFIRM, len(rig.leavers))
    if await rig.card_sent_to_hr():
        sent = [card for card in rig.cards_to_hr() if CONFIRM_ALL in verbs_of(card)]
        if sent:
            return sent[-1]
    before = len(rig.cards_to_hr())
    await rig.says(word_for(Command.LEAVE_DATES, "en"), ENTRA_COMMAND)
    return await rig.card_to_hr(CONFIRM_ALL, after=before)
