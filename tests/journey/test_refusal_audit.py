"""Every refused card action is audited once and changes nothing, on the real app (issue 12).

Seen: `task.refresh` by someone other than the interviewer and a refused `insights.show` wrote
no audit row, and every refusal said "only HR can do that". Now dialogs.router writes every
NotAllowed to the audit log, whichever handler or service refused, and each reason has its own
text (dialogs.routes.NOT_ALLOWED_TEXTS).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.typedefs import DATABASE
from dialogs.routes import NOT_ALLOWED_TEXTS, build_router
from journey.departure import Departure
from journey.ports import AuditEntry
from journey.refusals import Reason
from storage.audit import ENTRY_COLUMNS
from storage.tables import audit_log
from tests.helpers.journey import HR, LEAVER, MANAGER, PARTNER, STRANGER, LiveApp, TeamsUser
from tests.journey.test_booking import booked

CARD = "application/vnd.microsoft.card.adaptive"

# Verbs anyone may use for themselves: nothing about a departure or figures to refuse.
OPEN_TO_EVERYONE = {"help.show", "language.choose"}
# About a follow-up, not a departure: tests/follow_ups (test_access, test_bad_input) press them
# as everyone and check the refusal's text, its audit entry and that nothing changed.
ON_A_FOLLOW_UP = {"follow_up.done", "follow_up.hand_on", "follow_up.refresh"}

# Every verb a stranger presses on someone's booked departure: its data and why it is refused.
# "{d}" stands for the departure's id.
REFUSED: dict[str, tuple[dict[str, Any], Reason]] = {
    "offer.accept": ({}, Reason.NOT_LEAVER),
    "offer.decline": ({"reason": "x"}, Reason.NOT_LEAVER),
    "offer.later": ({}, Reason.NOT_LEAVER),
    "interviewer.choose": ({"kind": "manager", "person": MANAGER.upn}, Reason.NOT_LEAVER),
    "booking.pick": ({"slot": "20261130T0900Z/60"}, Reason.NOT_LEAVER),
    "booking.none_fit": ({}, Reason.NOT_LEAVER),
    "booking.reschedule": ({}, Reason.NOT_LEAVER_OR_INTERVIEWER),
    "booking.cancel": ({}, Reason.NOT_LEAVER_OR_INTERVIEWER),
    "booking.propose": ({}, Reason.NOT_LEAVER),
    "task.refresh": ({}, Reason.NOT_INTERVIEWER),
    "task.new_times": ({}, Reason.NOT_INTERVIEWER),
    "task.choose_times": ({}, Reason.NOT_INTERVIEWER),
    "task.send_times": ({"slots": "x"}, Reason.NOT_INTERVIEWER),
    "task.notes": ({"revision": 0}, Reason.NOT_INTERVIEWER),
    "task.held": ({"revision": 0}, Reason.NOT_INTERVIEWER),
    "plan.decline": ({}, Reason.NOT_LEAVER),
    "plan.switch_ask": ({}, Reason.NOT_LEAVER),
    "plan.switch": ({"kind": "manager", "person": MANAGER.upn}, Reason.NOT_LEAVER),
    "plan.keep": ({}, Reason.NOT_LEAVER),
    "plan.hand_over": ({"colleague": HR.upn}, Reason.NOT_INTERVIEWER),
    "handover.tick": ({"item": "keys", "done": True}, Reason.NOT_LEAVER_OR_MANAGER),
    "handover.successor": ({"successor": "x"}, Reason.NOT_LEAVER_OR_MANAGER),
    "survey.start": ({}, Reason.NOT_LEAVER),
    "survey.next": ({"revision": 0}, Reason.NOT_LEAVER),
    "survey.back": ({"revision": 0}, Reason.NOT_LEAVER),
    "survey.attribution": ({"revision": 0}, Reason.NOT_LEAVER),
    "survey.send": ({"revision": 0}, Reason.NOT_LEAVER),
    "survey.withdraw": ({"revision": 0}, Reason.NOT_LEAVER),
    "thanks.refresh": ({}, Reason.NOT_LEAVER),
    "thanks.choose": ({}, Reason.NOT_LEAVER),
    "alumni.withdraw": ({}, Reason.NOT_LEAVER),
    "follow_up.add": ({"known": 0}, Reason.NOT_INTERVIEWER),
    # Issue 14: only the leaver shares, only HR names the hiring manager, and a summary is
    # read only by those it was shared with.
    "sharing.open": ({}, Reason.NOT_LEAVER),
    "sharing.choose": ({"revision": 0, "with_manager": True}, Reason.NOT_LEAVER),
    "sharing.withdraw": ({"revision": 0}, Reason.NOT_LEAVER),
    "sharing.read": ({}, Reason.NOT_SHARED),
    "sharing.hr": ({}, Reason.NOT_HR),
    "sharing.name": ({"revision": 0, "hiring_manager": MANAGER.upn}, Reason.NOT_HR),
    "meeting.form": ({}, Reason.NOT_INTERVIEWER_OR_HR),
    "meeting.in_person": ({"place": "Kantinen"}, Reason.NOT_INTERVIEWER_OR_HR),
    "meeting.outside_booked": (
        {"outside_day": "2026-12-02", "outside_time": "13:30"},
        Reason.NOT_INTERVIEWER_OR_HR,
    ),
    "meeting.outside_held": ({}, Reason.NOT_INTERVIEWER_OR_HR),
    "regret.set": ({"regrettable": "yes"}, Reason.NOT_MANAGER_OR_HR),
    "register.change_day": ({"last_working_day": "2026-12-31"}, Reason.NOT_HR),
    "register.change_details": ({"departure_type": "resignation"}, Reason.NOT_HR),
    "register.cancel": ({}, Reason.NOT_HR),
    "register.manage": ({}, Reason.NOT_HR),
}
# Refused verbs about no single departure: HR's form and list, and the figures.
REFUSED_WITHOUT_DEPARTURE: dict[str, tuple[dict[str, Any], Reason, str | None]] = {
    "register.submit": (
        {"leaver": LEAVER.upn, "last_working_day": "2026-12-31"},
        Reason.NOT_HR,
        None,
    ),
    "status.list": ({}, Reason.NOT_HR, "departures"),
    "insights.show": ({"unit": "all"}, Reason.NO_FIGURES, "insights"),
    # Issue 14: the follow-up lists' page, for someone with no unit and no follow-up of theirs.
    "follow_up_lists.page": ({"page": 0}, Reason.NO_FOLLOW_UPS, "follow_ups"),
    # Issue 16: HR's leave dates from Entra ID, each act on one person's finding.
    "leave_dates.show": ({}, Reason.NOT_HR, "leave_dates"),
    "leave_dates.confirm": ({"user": "u-1", "revision": 0}, Reason.NOT_HR, "leave_dates"),
    "leave_dates.confirm_all": (
        {"items": [{"user": "u-1", "revision": 0}]},
        Reason.NOT_HR,
        "leave_dates",
    ),
    "leave_dates.dismiss": ({"user": "u-1", "revision": 0}, Reason.NOT_HR, "leave_dates"),
    "leave_dates.cancel": ({"user": "u-1", "revision": 0}, Reason.NOT_HR, "leave_dates"),
    "leave_dates.keep": ({"user": "u-1", "revision": 0}, Reason.NOT_HR, "leave_dates"),
}
# Pressed by someone who has a part in the departure, but not this one: the true reason.
WRONG_PART: list[tuple[TeamsUser, str, dict[str, Any], Reason]] = [
    (MANAGER, "offer.accept", {}, Reason.NOT_LEAVER),
    (PARTNER, "booking.pick", {"slot": "20261130T0900Z/60"}, Reason.NOT_LEAVER),
    (LEAVER, "task.refresh", {}, Reason.NOT_INTERVIEWER),
    (LEAVER, "plan.hand_over", {"colleague": HR.upn}, Reason.NOT_INTERVIEWER),
    (MANAGER, "booking.cancel", {}, Reason.NOT_LEAVER_OR_INTERVIEWER),
    (PARTNER, "handover.tick", {"item": "keys", "done": True}, Reason.NOT_LEAVER_OR_MANAGER),
    (LEAVER, "regret.set", {"regrettable": "yes"}, Reason.NOT_MANAGER_OR_HR),
    (LEAVER, "meeting.in_person", {"place": "Kantinen"}, Reason.NOT_INTERVIEWER_OR_HR),
    (MANAGER, "survey.start", {}, Reason.NOT_LEAVER),
    (LEAVER, "register.cancel", {}, Reason.NOT_HR),
]


def test_every_card_verb_is_checked_here() -> None:
    routed = build_router().verbs
    checked_elsewhere = OPEN_TO_EVERYONE | ON_A_FOLLOW_UP
    assert routed - checked_elsewhere == set(REFUSED) | set(REFUSED_WITHOUT_DEPARTURE)


async def all_audit(app: LiveApp) -> list[AuditEntry]:
    statement = select(*ENTRY_COLUMNS).order_by(audit_log.c.id)
    async with app.app[DATABASE].sessions() as session:
        rows = (await session.execute(statement)).all()
    return [AuditEntry.model_validate(dict(row._mapping)) for row in rows]


async def refused_once(
    app: LiveApp, who: TeamsUser, verb: str, data: dict[str, Any]
) -> tuple[dict[str, Any], AuditEntry]:
    """Press; the answer and the one audit entry the press wrote (there must be exactly one)."""
    await app.settled()
    before = await all_audit(app)
    sent = posted(app)
    answer = await app.press(who, verb, data)
    written = (await all_audit(app))[len(before) :]
    assert len(written) == 1, (verb, [(e.action, e.detail) for e in written])
    await app.settled()
    assert posted(app) == sent  # nobody was told anything
    return answer, written[0]


def posted(app: LiveApp) -> int:
    """Messages the bot posted (not the look-ups of who is writing)."""
    return sum(1 for r in app.connector.requests if r.method in ("POST", "PUT"))


def text_of(app: LiveApp, reason: Reason) -> str:
    return app.text(NOT_ALLOWED_TEXTS[reason])


# What the delivery worker records of cards posted before the press (it may finish after
# `settled`): not part of the plan a refusal could change.
DELIVERY_BOOKKEEPING = {"cards", "version", "updated_at"}


def assert_unchanged(after: Departure, before: Departure) -> None:
    was, now = before.model_dump(), after.model_dump()
    changed = {k: (was[k], now[k]) for k in was if was[k] != now[k]}
    assert set(changed) <= DELIVERY_BOOKKEEPING, changed


@pytest.mark.parametrize("verb", sorted(REFUSED))
async def test_a_stranger_is_refused_every_verb_once_audited_and_nothing_changes(
    app: LiveApp, verb: str
) -> None:
    departure, _ = await booked(app)
    await app.settled()  # the booking's cards are out: the departure is as it stays
    before = await app.departure(departure.id)
    meetings = list(app.calendar.meetings)
    data, reason = REFUSED[verb]

    answer, entry = await refused_once(app, STRANGER, verb, {"departure": departure.id, **data})

    if verb == "task.refresh":  # the card without details, as Teams refreshes it
        assert answer["type"] == CARD
        assert app.text("task.no_details") in str(answer["value"])
    elif verb == "sharing.read":  # the reader's card refreshed for someone not a reader
        assert answer["type"] == CARD
        assert app.text("sharing.nothing") in str(answer["value"])
        assert LEAVER.name not in str(answer["value"])
    elif verb == "thanks.refresh":
        assert answer["type"] == CARD
        assert LEAVER.name not in str(answer["value"])
    else:
        assert answer["value"] == text_of(app, reason)
    assert (entry.actor, entry.departure_id) == (STRANGER.upn, departure.id)
    assert "refused" in entry.action
    assert (entry.detail["verb"], entry.detail["reason"]) == (verb, reason.value)
    assert_unchanged(await app.departure(departure.id), before)
    assert list(app.calendar.meetings) == meetings


@pytest.mark.parametrize("verb", sorted(REFUSED_WITHOUT_DEPARTURE))
async def test_hrs_list_form_and_figures_refused_are_audited_with_their_scope(
    app: LiveApp, verb: str
) -> None:
    data, reason, scope = REFUSED_WITHOUT_DEPARTURE[verb]
    answer, entry = await refused_once(app, STRANGER, verb, data)
    assert answer["value"] == text_of(app, reason)
    assert (entry.actor, entry.departure_id) == (STRANGER.upn, None)
    assert (entry.detail["verb"], entry.detail["reason"]) == (verb, reason.value)
    assert entry.detail.get("scope") == scope
    assert LEAVER.upn not in str(entry.detail)  # what was typed is not kept


async def test_the_insights_command_refused_is_audited(app: LiveApp) -> None:
    await app.say(STRANGER, "help")
    before = len(await all_audit(app))
    await app.say(STRANGER, "insights")
    [entry] = (await all_audit(app))[before:]
    assert (entry.action, entry.actor, entry.departure_id) == (
        "insights.refused",
        STRANGER.upn,
        None,
    )
    assert entry.detail == {"verb": "insights", "reason": "no_figures", "scope": "insights"}


@pytest.mark.parametrize(
    ("who", "verb", "data", "reason"),
    WRONG_PART,
    ids=[f"{who.name}-{verb}" for who, verb, _, _ in WRONG_PART],
)
async def test_someone_with_another_part_is_told_whom_the_card_is_for(
    app: LiveApp, who: TeamsUser, verb: str, data: dict[str, Any], reason: Reason
) -> None:
    departure, _ = await booked(app)
    await app.settled()  # the booking's cards are out: the departure is as it stays
    before = await app.departure(departure.id)
    answer, entry = await refused_once(app, who, verb, {"departure": departure.id, **data})
    if verb != "task.refresh":
        assert answer["value"] == text_of(app, reason)
        assert answer["value"] != app.text("error.not_allowed") or reason is Reason.NOT_HR
    assert (entry.actor, entry.detail["reason"]) == (who.upn, reason.value)
    assert_unchanged(await app.departure(departure.id), before)
