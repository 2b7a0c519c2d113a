"""HR's leave dates from Entra ID in Teams (issue 16), on the real app over loopback: a SQLite
file, the demo directory (two people with leave dates: Karen in Hjemmeplejen, which maps to
home care, and Jonas in Kultur og Fritid, which maps to no unit), HR's default YAML with
`departures.source: entra` in confirm mode, and the check run by its job at start."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.typedefs import DATABASE, LEAVE_DATES
from journey.departure import DepartureStatus, Door
from journey.due import DueState
from journey.leave_date_check import LeaveDateCheck
from journey.leave_dates import Finding, FindingState
from journey.ports import AuditEntry
from journey.registration_rules import is_active
from storage.audit import ENTRY_COLUMNS
from storage.due_actions import DueActionQueue
from storage.leave_dates import SqlLeaveDates
from storage.tables import audit_log
from tests.cards.validator import assert_valid_card
from tests.helpers.journey import (
    CARD,
    HR,
    LEAVER,
    MANAGER,
    LiveApp,
    TeamsUser,
    actions_of,
    cards_of,
    texts_of,
)

KAREN = TeamsUser(
    "user-id-7", "6f1d2c3b-0a4e-4b7f-9c21-3e5a7d9b1f07", "karen.jensen@contoso.example", "Karen"
)
JONAS = TeamsUser(
    "user-id-8", "6f1d2c3b-0a4e-4b7f-9c21-3e5a7d9b1f08", "jonas.moller@contoso.example", "Jonas"
)


def check_of(app: LiveApp) -> LeaveDateCheck:
    return app.app[LEAVE_DATES].check


@pytest.fixture
async def found(app: LiveApp) -> list[Finding]:
    """The check ran at start: Karen to confirm, Jonas without a unit (soonest first)."""
    for user in (KAREN, JONAS):
        app.connector.members[user.user_id] = user.member()

    async def two_waiting() -> bool:
        return len(await check_of(app).waiting()) == 2

    await app.until(two_waiting, what="the check at start found the two leave dates")
    waiting = await check_of(app).waiting()
    assert [(f.upn, f.state) for f in waiting] == [
        (KAREN.upn, FindingState.TO_CONFIRM),
        (JONAS.upn, FindingState.NO_UNIT),
    ]
    return waiting


async def open_card(app: LiveApp, who: TeamsUser = HR, word: str = "leave dates", **kw: Any):
    """`who` writes the command; the card the bot answered with."""
    before = len(app.sent_to(who))
    await app.say(who, word, **kw)
    # (A first message is also welcomed.)
    [card] = [c for a in app.sent_to(who)[before:] for c in cards_of(a) if "leave_dates" in str(c)]
    return card


def answered_card(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["type"] == CARD, answer
    card = answer["value"]
    assert_valid_card(card)
    return card


async def active_of(app: LiveApp, upn: str):
    return [d for d in await app.departures.list_for_person(upn) if is_active(d)]


async def audit_rows(app: LiveApp) -> list[AuditEntry]:
    async with app.app[DATABASE].sessions() as session:
        rows = (await session.execute(select(*ENTRY_COLUMNS).order_by(audit_log.c.id))).all()
    return [AuditEntry.model_validate(dict(row._mapping)) for row in rows]


async def test_hr_registers_both_with_one_click_after_picking_jonas_unit(
    app: LiveApp, found: list[Finding]
) -> None:
    card = await open_card(app)
    assert_valid_card(card)
    text = texts_of(card)
    assert "Karen Jensen" in text and "Home Care" in text
    # Jonas's department as Entra ID has it, and a list of units to pick: never a guess.
    assert "Kultur og Fritid" in text
    [unit_list] = [e for e in _inputs(card) if e["id"] == "unit_1"]
    assert {c["value"] for c in unit_list["choices"]} == set(app.config.unit_ids)

    answer = await app.press_button(HR, card, "leave_dates.confirm_all", unit_1="social-care")

    after = answered_card(answer)
    assert app.text("leave_dates.registered_count", count=2) in texts_of(after)
    assert app.text("leave_dates.none") in texts_of(after)
    assert await check_of(app).waiting() == []
    [karen] = await active_of(app, KAREN.upn)
    [jonas] = await active_of(app, JONAS.upn)
    assert (karen.unit, karen.registered_via) == ("home-care", Door.ENTRA)
    assert (jonas.unit, jonas.registered_via) == ("social-care", Door.ENTRA)
    assert karen.last_working_day == found[0].leave_date
    # The journey begins as for any other door: each leaver is offered the conversation.
    await app.settled()
    for departure in (karen, jonas):
        sent = await DueActionQueue(app.app[DATABASE]).for_departure(departure.id)
        assert [(a.kind, a.state) for a in sent if a.kind == "offer"] == [("offer", DueState.SENT)]
    offers = [r for r in app.requests("POST", "/activities") if "offer.accept" in str(r.body)]
    assert len(offers) == 2
    registered = [e for e in await audit_rows(app) if e.action == "departure.registered"]
    assert {e.actor for e in registered} == {HR.upn}


def _inputs(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


async def test_a_row_without_a_unit_registers_in_the_unit_hr_picks_and_not_without(
    app: LiveApp, found: list[Finding]
) -> None:
    card = await open_card(app)
    jonas_register = [a for a in actions_of(card) if a["verb"] == "leave_dates.confirm"][
        1
    ]  # the second row's Register
    assert jonas_register["data"]["user"] == found[1].user_id

    unpicked = await app.press(HR, "leave_dates.confirm", {**jonas_register["data"], "unit_1": ""})
    assert app.text("leave_dates.pick_first", name="Jonas Møller") in texts_of(
        answered_card(unpicked)
    )
    assert await active_of(app, JONAS.upn) == []

    picked = await app.press(
        HR, "leave_dates.confirm", {**jonas_register["data"], "unit_1": "technical-services"}
    )
    assert "Jonas Møller" in texts_of(answered_card(picked))
    [jonas] = await active_of(app, JONAS.upn)
    assert jonas.unit == "technical-services"
    assert [f.upn for f in await check_of(app).waiting()] == [KAREN.upn]  # Karen still waits


async def test_hr_dismisses_one_and_nothing_is_registered(
    app: LiveApp, found: list[Finding]
) -> None:
    card = await open_card(app)
    answer = await app.press_button(HR, card, "leave_dates.dismiss", index=0)

    assert app.text("leave_dates.dismissed", name="Karen Jensen") in texts_of(answered_card(answer))
    assert await active_of(app, KAREN.upn) == []
    assert (await SqlLeaveDates(app.app[DATABASE]).get(found[0].user_id)).state is (
        FindingState.DISMISSED
    )
    assert [f.upn for f in await check_of(app).waiting()] == [JONAS.upn]


async def removed_in_entra(app: LiveApp, finding: Finding) -> Finding:
    """HR registered Karen; then Entra ID lost her leave date (as the check records it when
    `when_cleared: ask`): her finding waits for HR to cancel or keep the departure."""
    registered = await check_of(app).confirm(HR.upn, finding.user_id, finding.revision)
    assert registered.state is FindingState.REGISTERED
    store = SqlLeaveDates(app.app[DATABASE])
    cleared = registered.model_copy(
        update={"state": FindingState.TO_CANCEL, "revision": registered.revision + 1}
    )
    await store.save(cleared, registered.revision)
    return cleared


@pytest.mark.parametrize("verb", ["leave_dates.cancel", "leave_dates.keep"])
async def test_a_removed_leave_date_hr_cancels_or_keeps_the_departure(
    app: LiveApp, found: list[Finding], verb: str
) -> None:
    cleared = await removed_in_entra(app, found[0])
    card = await open_card(app)
    assert app.text("leave_dates.cleared") in texts_of(card)
    titles = [a["title"] for a in actions_of(card) if a["data"].get("user") == cleared.user_id]
    assert titles == [app.text("leave_dates.cancel_departure"), app.text("leave_dates.keep")]

    answer = await app.press_button(HR, card, verb)

    [departure] = await app.departures.list_for_person(KAREN.upn)
    if verb == "leave_dates.cancel":
        assert app.text("leave_dates.cancelled", name="Karen Jensen") in texts_of(
            answered_card(answer)
        )
        assert departure.status is DepartureStatus.CANCELLED
    else:
        assert app.text("leave_dates.kept", name="Karen Jensen") in texts_of(answered_card(answer))
        assert is_active(departure)
    assert [f.upn for f in await check_of(app).waiting()] == [JONAS.upn]


async def test_a_click_on_a_row_that_changed_redraws_the_card_and_does_nothing(
    app: LiveApp, found: list[Finding]
) -> None:
    card = await open_card(app)
    # Another HR member registers Karen from their own card first.
    await check_of(app).confirm("hrpartner@contoso.example", found[0].user_id, found[0].revision)
    before = await app.departures.list_for_person(KAREN.upn)

    answer = await app.press_button(HR, card, "leave_dates.dismiss", index=0)

    redrawn = answered_card(answer)
    assert redrawn["body"][1]["text"] == app.text("leave_dates.stale")
    assert "Karen Jensen" not in texts_of(redrawn)  # she no longer waits
    assert await app.departures.list_for_person(KAREN.upn) == before


@pytest.mark.parametrize("who", [LEAVER, MANAGER], ids=["leaver", "manager"])
async def test_someone_not_in_hr_is_refused_audited_and_nothing_changes(
    app: LiveApp, found: list[Finding], who: TeamsUser
) -> None:
    hr_card = await open_card(app)
    [register_all] = [a for a in actions_of(hr_card) if a["verb"] == "leave_dates.confirm_all"]
    before = len(await audit_rows(app))

    answer = await app.press(who, "leave_dates.confirm_all", register_all["data"])

    assert answer["value"] == app.text("error.not_allowed")
    [entry] = (await audit_rows(app))[before:]
    assert (entry.actor, entry.action, entry.detail["scope"]) == (
        who.upn,
        "leave_dates.refused",
        "leave_dates",
    )
    assert await check_of(app).waiting() == found
    assert await active_of(app, KAREN.upn) == []
    # The command is refused too, without a card.
    refused = await open_card_or_text(app, who)
    assert refused == app.text("error.not_allowed")


async def open_card_or_text(app: LiveApp, who: TeamsUser) -> str:
    before = len(app.sent_to(who))
    await app.say(who, "leave dates")
    answer = app.sent_to(who)[before:][-1]
    assert "leave_dates" not in str(app.sent_to(who)[before:])
    return answer["text"]


async def test_in_danish_hr_writes_fratraedelser_and_sees_the_banner_on_the_list(
    app: LiveApp, found: list[Finding]
) -> None:
    card = await open_card(app, word="fratrædelser", locale="da-DK")
    assert card["lang"] == "da"
    text = texts_of(card)
    assert app.text("leave_dates.title", "da") in text
    assert app.text("leave_dates.register_all", "da", count=1) in text
    assert "I Entra ID er afdelingen »Kultur og Fritid«" in text

    await app.say(HR, "status", locale="da-DK")
    hr_list = cards_of(app.sent_to(HR)[-1])[0]
    assert app.text("leave_dates.banner", "da", count=2) in texts_of(hr_list)
    [show] = [a for a in actions_of(hr_list) if a["verb"] == "leave_dates.show"]
    shown = answered_card(await app.press(HR, "leave_dates.show", show["data"], locale="da-DK"))
    assert "Karen Jensen" in texts_of(shown)

    await app.say(HR, "hjælp", locale="da-DK")
    help_card = cards_of(app.sent_to(HR)[-1])[0]
    assert "fratrædelser" in texts_of(help_card)
