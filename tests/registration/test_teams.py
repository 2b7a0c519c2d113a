"""HR registers in Teams: the real app on loopback, signed activities, a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from journey.departure import DepartureStatus
from journey.ports import AuditEntry
from storage.audit import ENTRY_COLUMNS
from storage.database import Database
from storage.repositories import SqlAuditLog, SqlDepartureRepository
from storage.tables import audit_log
from testkit.waiting import wait_until
from tests.cards.validator import assert_valid_card
from tests.helpers.service import Running, make_activity

HR_USER = {"user_id": "29:hr", "aad_object_id": "aad-hr", "conversation_id": "a:personal-hr"}
LEAVER_USER = {
    "user_id": "29:leaver",
    "aad_object_id": "aad-leaver",
    "conversation_id": "a:personal-leaver",
}


@pytest.fixture
async def hr_running(running: Running) -> Running:
    running.connector.members["29:hr"] = {
        "id": "29:hr",
        "name": "Hanne Rasmussen",
        "aadObjectId": "aad-hr",
        "userPrincipalName": "hr@contoso.example",
    }
    return running


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    database = await Database.open(sqlite_url)
    try:
        yield database
    finally:
        await database.close()


def _future(days: int = 45) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


async def _say(running: Running, text: str, user: dict[str, str], locale: str = "en-US") -> None:
    response = await running.post(
        make_activity(running.connector.url, text=text, locale=locale, **user)
    )
    assert response.status == 200


async def _execute(
    running: Running,
    verb: str,
    data: dict[str, Any],
    user: dict[str, str],
    locale: str = "en-US",
) -> dict[str, Any]:
    invoke = make_activity(
        running.connector.url,
        "invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": verb, "data": data}},
        locale=locale,
        **user,
    )
    response = await running.post(invoke)
    assert response.status == 200
    return await response.json()


def _form(leaver: str = "leaver@contoso.example", **changes: str) -> dict[str, str]:
    values = {
        "leaver": leaver,
        "manager": "",
        "unit": "social-care",
        "last_working_day": _future(),
        "locale": "",
    }
    values.update(changes)
    return values


def _texts(card: dict[str, Any]) -> list[str]:
    return [block.get("text", "") for block in card["body"] if block["type"] == "TextBlock"]


async def _audit(db: Database, departure_id: str | None = None) -> list[AuditEntry]:
    if departure_id is not None:
        return list(await SqlAuditLog(db).for_departure(departure_id))
    async with db.sessions() as session:
        rows = (await session.execute(select(*ENTRY_COLUMNS).order_by(audit_log.c.id))).all()
    return [AuditEntry.model_validate(dict(r._mapping)) for r in rows]


async def _wait_for_card(running: Running, verb: str) -> dict[str, Any]:
    """The first card the bot posted whose first action has `verb`."""

    def with_verb() -> list[dict[str, Any]]:
        return [
            card
            for card in running.connector.cards()
            if (card.get("actions") or [{}])[0].get("verb") == verb
        ]

    await wait_until(lambda: bool(with_verb()), what=f"a card with {verb!r} is posted")
    return with_verb()[0]


async def test_hr_writes_register_in_danish_and_gets_the_form(hr_running: Running) -> None:
    await _say(hr_running, "registrer", HR_USER, locale="da-DK")
    form = hr_running.connector.cards()[-1]
    assert_valid_card(form)
    assert _texts(form)[0] == hr_running.config.text("register.title", "da")
    assert form["actions"][0]["verb"] == "register.submit"


async def test_hr_submits_the_form_and_the_departure_is_stored_and_confirmed(
    hr_running: Running, db: Database
) -> None:
    day = _future()
    body = await _execute(hr_running, "register.submit", _form(last_working_day=day), HR_USER)

    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    card = body["value"]
    assert_valid_card(card)
    assert _texts(card)[0] == "Sofie Andersen"
    [departure] = await SqlDepartureRepository(db).list_for_person("leaver@contoso.example")
    assert departure.last_working_day == date.fromisoformat(day)
    assert departure.manager_upn == "manager@contoso.example"
    assert departure.unit == "social-care"
    assert departure.locale == "da"
    entries = await _audit(db, departure.id)
    assert [(e.actor, e.action) for e in entries] == [
        ("hr@contoso.example", "departure.registered"),
        ("system", "offer.sent"),
    ]
    # The delivery worker brings the leaver the offer, in the departure's language.
    offer = await _wait_for_card(hr_running, "offer.accept")
    assert_valid_card(offer)
    assert offer["lang"] == "da"


async def test_a_rejected_submit_shows_the_form_again_with_the_reason_and_the_values(
    hr_running: Running, db: Database
) -> None:
    body = await _execute(
        hr_running,
        "register.submit",
        _form(leaver="nobody@contoso.example", unit="home-care"),
        HR_USER,
        locale="sv-SE",
    )
    card = body["value"]
    assert_valid_card(card)
    assert hr_running.config.text("register.unknown_person", "sv") in _texts(card)
    inputs = {element["id"]: element for element in card["body"] if "id" in element}
    assert inputs["leaver"]["value"] == "nobody@contoso.example"
    assert inputs["unit"]["value"] == "home-care"
    assert await SqlDepartureRepository(db).list_for_person("nobody@contoso.example") == []
    assert await _audit(db) == []


async def test_someone_not_in_hr_gets_no_form(hr_running: Running) -> None:
    await _say(hr_running, "register", LEAVER_USER)
    last = hr_running.connector.sent[-1]
    assert last["text"] == hr_running.config.text("error.not_allowed", "en")
    titles = [_texts(card)[0] for card in hr_running.connector.cards()]
    assert hr_running.config.text("register.title", "en") not in titles


async def test_a_replayed_submit_from_someone_not_in_hr_is_refused_and_audited(
    hr_running: Running, db: Database
) -> None:
    body = await _execute(hr_running, "register.submit", _form(), LEAVER_USER)

    assert body["value"] == hr_running.config.text("error.not_allowed", "en")
    assert await SqlDepartureRepository(db).list_for_person("leaver@contoso.example") == []
    [entry] = await _audit(db)
    assert (entry.actor, entry.action, entry.departure_id) == (
        "leaver@contoso.example",
        "departure.refused",
        None,
    )
    # The router's refusal audit adds what was pressed and why (issue 12).
    assert entry.detail == {
        "door": "teams",
        "attempted": "register",
        "verb": "register.submit",
        "reason": "not_hr",
    }


async def test_hr_moves_the_last_day_and_then_cancels_from_the_confirmation_card(
    hr_running: Running, db: Database
) -> None:
    await _execute(hr_running, "register.submit", _form(), HR_USER)
    repository = SqlDepartureRepository(db)
    [departure] = await repository.list_for_person("leaver@contoso.example")
    ref = {"departure_id": departure.id}

    moved = _future(60)
    body = await _execute(
        hr_running, "register.change_day", {**ref, "last_working_day": moved}, HR_USER
    )
    assert_valid_card(body["value"])
    assert (await repository.get(departure.id)).last_working_day == date.fromisoformat(moved)

    # Someone outside HR replays the cancel button: refused, audited, nothing changes. (First
    # let the offer's delivery settle: the worker records the posted card on the departure.)
    await _wait_for_card(hr_running, "offer.accept")

    async def recorded() -> bool:
        return "leaver" in (await repository.get(departure.id)).cards

    await wait_until(recorded, what="the offer is recorded on the departure")
    before = await repository.get(departure.id)
    refused = await _execute(hr_running, "register.cancel", ref, LEAVER_USER)
    # In the leaver's language as registered (the form left it to the directory), which
    # comes before the Teams locale (issue 11).
    assert refused["value"] == hr_running.config.text("error.not_allowed", before.locale)
    after = await repository.get(departure.id)
    assert (after.status, after.version) == (before.status, before.version)
    assert after.status is not DepartureStatus.CANCELLED

    body = await _execute(hr_running, "register.cancel", ref, HR_USER, locale="nb-NO")
    card = body["value"]
    assert_valid_card(card)
    assert "actions" not in card
    assert (await repository.get(departure.id)).status is DepartureStatus.CANCELLED
    actions = [(e.actor, e.action) for e in await _audit(db, departure.id)]
    assert ("leaver@contoso.example", "departure.refused") in actions
    assert ("hr@contoso.example", "departure.last_day_changed") in actions
    assert ("hr@contoso.example", "departure.cancelled") in actions
