"""Each door records itself on the departure (issue 16), HR sees it in Danish on the status list
and on the departure's card, a second registration keeps the first door, and the leaver's own
data export holds it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cli.departures_csv import COLUMNS
from cli.main import main
from journey.departure import Door
from storage.database import Database
from storage.migrate import upgrade
from storage.subject_access import export_person
from storage.tables import audit_log, departures
from tests.cards.validator import assert_valid_card
from tests.helpers.journey import HR, LAST_DAY, LEAVER, LiveApp, actions_of
from tests.registration.helpers import DEMO_PEOPLE, Setup, request


def _facts(card: dict[str, Any]) -> list[tuple[str, str]]:
    """Every fact of a card, (title, value), in order."""
    found: list[tuple[str, str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "FactSet":
                found.extend((fact["title"], fact["value"]) for fact in node["facts"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


async def test_the_teams_form_records_teams_and_hr_sees_it_in_danish(app: LiveApp) -> None:
    form = {
        "leaver": LEAVER.upn,
        "manager": "",
        "unit": "social-care",
        "last_working_day": LAST_DAY.isoformat(),
        "locale": "",
        "departure_type": "resignation",
    }
    confirmed = await app.press(HR, "register.submit", form, locale="da-DK")
    assert_valid_card(confirmed["value"])
    [departure] = await app.departures.list_for_person(LEAVER.upn)
    assert departure.registered_via is Door.TEAMS
    # The card HR gets at once already says it.
    assert ("Registreret via", "Teams") in _facts(confirmed["value"])

    await app.say(HR, "status", locale="da-DK")
    listing = await app.card_for(HR, app.text("status.hr_title", "da"))
    assert_valid_card(listing)
    [(name, row)] = _facts(listing)
    assert name == "Sofie Andersen"
    assert row.endswith("· Registreret via Teams"), row

    [manage] = [a for a in actions_of(listing) if a["verb"] == "register.manage"]
    managed = (await app.press(HR, "register.manage", manage["data"], locale="da-DK"))["value"]
    # Offered and opened from the list: five actions at most (the hiring manager's button
    # sits in the body), so Teams shows every one.
    assert_valid_card(managed)
    assert len(managed["actions"]) <= 5
    assert ("Registreret via", "Teams") in _facts(managed)


async def test_hr_sees_a_departure_from_the_hr_system_and_from_entra_in_danish(
    app: LiveApp,
) -> None:
    request_ = {"manager": "manager@contoso.example", "last_working_day": LAST_DAY}
    api = await app.registration.register(
        request(leaver=LEAVER.upn, external_id="HR-7", **request_), "api:hr-system", door="api"
    )
    entra = await app.registration.register(
        request(leaver="leaver.se@contoso.example", **request_), "entra", door=Door.ENTRA
    )
    assert api.departure is not None and entra.departure is not None
    assert (api.departure.registered_via, entra.departure.registered_via) == (
        Door.API,
        Door.ENTRA,
    )
    await app.say(HR, "status", locale="da-DK")
    listing = await app.card_for(HR, app.text("status.hr_title", "da"))
    rows = [value for _, value in _facts(listing)]
    assert sum("Registreret via HR-system (API)" in row for row in rows) == 1
    assert sum("Registreret via Entra ID" in row for row in rows) == 1

    data = {"departure": entra.departure.id, "mark": entra.departure.mark}
    managed = (await app.press(HR, "register.manage", data, locale="da-DK"))["value"]
    assert ("Registreret via", "Entra ID") in _facts(managed)


async def test_each_door_records_itself_and_registering_again_keeps_the_first(
    setup: Setup,
) -> None:
    leavers = {
        Door.TEAMS: "leaver@contoso.example",
        Door.API: "leaver.se@contoso.example",
        Door.CSV: "leaver.no@contoso.example",
    }
    for door, leaver in leavers.items():
        outcome = await setup.service.register(
            request(leaver=leaver, external_id=f"HR-{door}"), "hr@contoso.example", door=door
        )
        assert outcome.departure is not None, outcome.problems
        stored = await setup.repository.get(outcome.departure.id)
        assert stored.registered_via is door
        [entry] = await setup.audit.for_departure(stored.id)
        assert entry.detail["door"] == door.value

    # HR's system sends the CSV's departure again with a new last day: it moves, and stays CSV.
    moved = request(
        leaver=leavers[Door.CSV],
        external_id=f"HR-{Door.CSV}",
        last_working_day=date(2026, 5, 29),
    )
    again = await setup.service.register(moved, "api:hr-system", door=Door.API)
    assert again.departure is not None, again.problems
    assert again.departure.last_working_day == date(2026, 5, 29)
    assert (await setup.repository.get(again.departure.id)).registered_via is Door.CSV
    assert [e.detail["door"] for e in await setup.audit.for_departure(again.departure.id)] == [
        "csv",
        "api",
    ]


async def test_a_door_that_is_not_one_is_refused_before_anything_is_stored(
    setup: Setup,
) -> None:
    with pytest.raises(ValueError):
        await setup.service.register(request(), "hr@contoso.example", door="bench")
    assert await setup.count_departures() == 0


async def test_the_leavers_own_export_says_where_the_departure_came_from(setup: Setup) -> None:
    outcome = await setup.service.register(request(), "csv:hr", door=Door.CSV)
    assert outcome.departure is not None
    document = await export_person(
        setup.db, "leaver@contoso.example", actor="leaver@contoso.example", now=datetime.now(UTC)
    )
    [departure] = document["departures"]
    assert departure["registered_via"] == "csv"


def test_the_csv_import_records_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"
    asyncio.run(upgrade(url))
    for name in ("MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "EXITBOT_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("EXITBOT_DIRECTORY", "local")
    monkeypatch.setenv("EXITBOT_PEOPLE_FILE", str(DEMO_PEOPLE))
    monkeypatch.chdir(tmp_path)
    day = (date.today() + timedelta(days=40)).isoformat()
    path = tmp_path / "departures.csv"
    path.write_text(
        f"{','.join(COLUMNS)}\nHR-1,leaver@contoso.example,,social-care,{day},,\n",
        encoding="utf-8",
    )

    assert main(["departures", "import", str(path)]) == 0
    assert "created   leaver@contoso.example" in capsys.readouterr().out

    async def stored() -> tuple[list[Any], list[Any]]:
        db = await Database.open(url)
        try:
            async with db.sessions() as session:
                doors = (await session.execute(select(departures.c.registered_via))).all()
                audited = (
                    await session.execute(
                        select(audit_log.c.detail).where(
                            audit_log.c.action == "departure.registered"
                        )
                    )
                ).all()
            return [row[0] for row in doors], [row[0]["door"] for row in audited]
        finally:
            await db.close()

    assert asyncio.run(stored()) == (["csv"], ["csv"])
