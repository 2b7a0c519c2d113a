"""The closing job on the real app (SQLite): what is due closes once, the rest stays open, and a
closed departure refuses every change."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.typedefs import CONFIG, DATABASE
from jobs.closing import case_closing
from journey.closing import AUDIT_CLOSED
from journey.departure import Departure, DepartureStatus
from journey.due import DueState
from journey.locale import SUPPORTED_LANGUAGES
from storage.tables import due_actions
from tests.helpers.journey import HR, LAST_DAY, LEAVER, LiveApp, actions_of, cards_of

# The default 14 days after 18 December are over at midnight in Copenhagen on 2 January.
CLOSES = datetime(2027, 1, 2, 0, 0, tzinfo=ZoneInfo("Europe/Copenhagen")).astimezone(UTC)


def other(upn: str, **values: object) -> Departure:
    fields: dict[str, object] = {
        "leaver_upn": upn,
        "leaver_name": upn.split("@")[0],
        "manager_upn": "manager@contoso.example",
        "unit": "social-care",
        "last_working_day": LAST_DAY,
        "status": DepartureStatus.DECLINED,
    }
    return Departure(**(fields | values))


async def _pending(app: LiveApp, departure_id: str) -> int:
    async with app.app[DATABASE].sessions() as session:
        rows = await session.execute(
            select(due_actions.c.id).where(
                due_actions.c.departure_id == departure_id,
                due_actions.c.state == DueState.PENDING.value,
            )
        )
        return len(rows.all())


async def _offer_data(app: LiveApp, departure_id: str) -> dict[str, object]:
    """The data of the accept button on the offer card the leaver got."""

    async def posted() -> bool:
        return any(
            a["verb"] == "offer.accept" and a.get("data", {}).get("departure") == departure_id
            for activity in app.sent_to(LEAVER)
            for card in cards_of(activity)
            for a in actions_of(card)
        )

    await app.until(posted, what="the offer card reached the leaver")
    return next(
        a["data"]
        for activity in app.sent_to(LEAVER)
        for card in cards_of(activity)
        for a in actions_of(card)
        if a["verb"] == "offer.accept" and a.get("data", {}).get("departure") == departure_id
    )


async def test_the_job_closes_what_is_over_once_and_leaves_the_rest(app: LiveApp) -> None:
    assert any(task.get_name() == "closing" for task in asyncio.all_tasks())  # it runs
    await app.say(HR, "help")
    await app.say(LEAVER, "help")  # the bot can reach the leaver
    sofie = await app.register()  # offered, never answered: reminders are planned
    accept = await _offer_data(app, sofie.id)
    assert await _pending(app, sofie.id) > 0
    repo = app.departures
    declined = await repo.add(other("carl@contoso.example"))
    later = await repo.add(other("dina@contoso.example", last_working_day=date(2027, 1, 8)))
    cancelled = await repo.add(other("emil@contoso.example", status=DepartureStatus.CANCELLED))
    start = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)  # agreed outside the bot, after leaving
    future = await repo.add(
        other(
            "frida@contoso.example",
            status=DepartureStatus.BOOKED,
            interviewer_upn="hrpartner@contoso.example",
            meeting_start=start,
            meeting_end=start + timedelta(hours=1),
            meeting_event_id="outside-1",
        )
    )

    app.clock.advance(seconds=(CLOSES - app.clock.now()).total_seconds())
    # Two instances of the service in the same round: each case closes once.
    config = lambda: app.app[CONFIG].current  # noqa: E731
    instances = [case_closing(app.app[DATABASE], config, app.clock) for _ in range(2)]
    counts = await asyncio.gather(*(instance.close_due() for instance in instances))
    assert sum(counts) == 2

    for case in (sofie, declined):
        stored = await app.departure(case.id)
        assert stored.status is DepartureStatus.CLOSED and stored.closed_at == CLOSES
        assert [e.action for e in await app.audit(case.id)].count(AUDIT_CLOSED) == 1
        assert await _pending(app, case.id) == 0  # nothing more is sent about it
    for kept in (later, cancelled, future):
        assert (await app.departure(kept.id)).status is kept.status
    assert await instances[0].close_due() == 0

    # The leaver's old offer card: a clear refusal in their language, nothing changed.
    before = await app.departure(sofie.id)
    answer = await app.press(LEAVER, "offer.accept", accept)
    closed_texts = {app.text("error.departure_closed", lang) for lang in SUPPORTED_LANGUAGES}
    assert answer["value"] in closed_texts
    # HR moving the last day of a closed departure is refused the same way registration says.
    moved = {"departure_id": sofie.id, "last_working_day": "2027-02-01"}
    body = await app.press(HR, "register.change_day", moved)
    assert app.text("register.not_active") in str(body["value"])
    after = await app.departure(sofie.id)
    assert (after.version, after.status, after.last_working_day) == (
        before.version,
        DepartureStatus.CLOSED,
        LAST_DAY,
    )
