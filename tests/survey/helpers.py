"""Getting a leaver to the survey on the running app, and looking at what it stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from bot.app import create_app
from bot.typedefs import DATABASE, SETTINGS
from journey.departure import Departure
from journey.ports import AuditEntry
from journey.survey import Answer, Attribution, SurveyProgress
from storage.survey import SqlSurveyStore
from testkit.standins.serve import serve
from tests.helpers.journey import LEAVER, LiveApp, cards_of, verbs_of
from tests.helpers.service import StaticToken
from tests.journey.test_booking import booked, task_posted

STAY = "More flexible hours would have kept me"
CULTURE = "Kind, but busy"


async def at_the_survey(app: LiveApp) -> tuple[Departure, dict[str, Any]]:
    """The leaver booked with the HR partner and wrote `survey`: the intro card."""
    departure, _ = await booked(app)
    await app.say(LEAVER, "survey")
    return departure, await app.card_for(LEAVER, app.text("survey.attribution.title"))


async def started(
    app: LiveApp, attribution: Attribution = Attribution.NAMED
) -> tuple[Departure, dict[str, Any]]:
    """The leaver chose how answers may be used and started: the first section's card."""
    departure, intro = await at_the_survey(app)
    answer = await app.press_button(LEAVER, intro, "survey.start", attribution=attribution.value)
    return departure, answer["value"]


async def at_the_send(app: LiveApp) -> tuple[Departure, dict[str, Any]]:
    """The leaver answered part 1 (pay) and the work environment (STAY, CULTURE, no), and the
    interviewer's task card is posted: the card with "send"."""
    departure, card = await started(app)
    answers = {
        "reasons": {"q_reasons": "pay"},
        "work_environment": {"q_stay": STAY, "q_culture": CULTURE, "q_recommend": "no"},
    }
    while "survey.send" not in verbs_of(card):
        section = next(a for a in card["actions"] if a["verb"] == "survey.next")["data"]["section"]
        card = card_of(
            await app.press_button(LEAVER, card, "survey.next", **answers.get(section, {}))
        )
    await app.until(lambda: task_posted(app, departure.id), what="task card sent")
    return departure, card


def store(app: LiveApp) -> SqlSurveyStore:
    return SqlSurveyStore(app.app[DATABASE])


async def stored(app: LiveApp, departure_id: str) -> tuple[SurveyProgress | None, list[Answer]]:
    """The progress and every answer as in the database."""
    answers = await store(app).answers(departure_id, frozenset(Attribution), sent_only=False)
    return await store(app).progress(departure_id), sorted(answers, key=lambda a: a.question_id)


async def refusals(app: LiveApp, departure_id: str) -> list[AuditEntry]:
    return [e for e in await app.audit(departure_id) if e.action == "survey.refused"]


def connector_bodies(app: LiveApp, conversation: str) -> str:
    """Everything the bot posted or put into one conversation, as one string."""
    return "\n".join(
        str(r.body) for r in app.connector.requests if conversation in r.path and r.body
    )


def input_value(card: dict[str, Any], input_id: str) -> Any:
    """The value an input of `card` is filled with (None when it has none)."""
    found: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("id") == input_id:
                found.append(node.get("value"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    assert len(found) == 1, f"{input_id}: {len(found)} inputs"
    return found[0]


def card_of(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["type"] == "application/vnd.microsoft.card.adaptive", answer
    return answer["value"]


@asynccontextmanager
async def restarted(app: LiveApp) -> AsyncIterator[LiveApp]:
    """A second service on the same database file, as after a restart."""
    again = create_app(app.app[SETTINGS], clock=app.clock, bot_tokens=StaticToken())
    async with serve(again) as url, aiohttp.ClientSession() as http:
        yield LiveApp(url, again, app.connector, app.issuer, http, app.config, app.clock)


__all__ = ["cards_of"]
