"""Follow-ups on the real app: a held conversation, its task card, and what was stored."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.typedefs import DATABASE
from journey.follow_up_rules import FollowUp
from storage.follow_ups import SqlFollowUpStore
from storage.tables import due_actions, follow_ups
from tests.helpers.journey import HR, MANAGER, PARTNER, LiveApp, actions_of, cards_of, texts_of
from tests.survey.helpers import card_of
from tests.survey.test_after_conversation import _held

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
WHAT = "Take the **rota** question to the [unit meeting](https://evil.example)"


def store(app: LiveApp) -> SqlFollowUpStore:
    return SqlFollowUpStore(app.app[DATABASE])


async def held_task(app: LiveApp) -> tuple[str, dict[str, Any]]:
    """A held conversation (PARTNER held it) and the interviewer's own task card. The manager
    and HR have written to the bot in English (the directory says Danish for them)."""
    for person in (MANAGER, HR):
        await app.say(person, "help")
    departure_id, _ = await _held(app)
    task = card_of(await app.press(PARTNER, "task.refresh", {"departure": departure_id}))
    return departure_id, task


def today(app: LiveApp) -> date:
    return app.clock.now().astimezone(COPENHAGEN).date()


def form(app: LiveApp, *, days: int = 7, **changes: str) -> dict[str, str]:
    """What the interviewer types into the task card's form (owner: the manager)."""
    values = {
        "fu_what": WHAT,
        "fu_owner": "manager",
        "fu_area": "work_environment",
        "fu_due": (today(app) + timedelta(days=days)).isoformat(),
    }
    return values | changes


async def add(
    app: LiveApp, task: dict[str, Any], **changes: Any
) -> tuple[dict[str, Any], list[FollowUp]]:
    """Press "Add" on the task card; the answer and the departure's follow-ups after it."""
    departure_id = next(
        a["data"]["departure"] for a in actions_of(task) if a["verb"] == "follow_up.add"
    )
    answer = await app.press_button(PARTNER, task, "follow_up.add", **form(app, **changes))
    return answer, await store(app).of_departure(departure_id)


def cards_to(app: LiveApp, user: Any, words: str) -> list[dict[str, Any]]:
    """Every card posted to `user` whose texts hold `words`."""
    return [c for a in app.sent_to(user) for c in cards_of(a) if words in texts_of(c)]


async def rows(app: LiveApp) -> list[tuple[Any, ...]]:
    """Every stored follow-up, as it is (for "nothing changed")."""
    async with app.app[DATABASE].sessions() as session:
        return [tuple(r) for r in (await session.execute(select(follow_ups))).all()]


async def reminders(app: LiveApp) -> dict[str, int]:
    """The follow-up reminders per state."""
    statement = (
        select(due_actions.c.state, func.count())
        .where(due_actions.c.kind == "follow_up_reminder")
        .group_by(due_actions.c.state)
    )
    async with app.app[DATABASE].sessions() as session:
        return {state: n for state, n in (await session.execute(statement)).all()}


def advance_to(app: LiveApp, day: date, at: time) -> None:
    """Move the test's clock forward to `at` on `day` in Copenhagen."""
    moment = datetime.combine(day, at, tzinfo=COPENHAGEN)
    app.clock.advance(seconds=(moment - app.clock.now()).total_seconds())
