"""A refusal raised by any card action or command is answered once, by the router's registry."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any, cast

import pytest

from cards.booking import confirmation_card
from cards.locale import Speaker
from config.loaded import LoadedConfig
from config.loader import default_config_dir, load_config
from dialogs.commands import Command
from dialogs.router import NoPayload, Router
from dialogs.routes import build_router
from dialogs.turn import DialogTurn
from journey.after_conversation import NoteTooLong, NotOffered, NotYetHeld
from journey.departure import Departure, DepartureStatus
from journey.people import DirectoryUnavailable, PersonNotReachable
from journey.ports import NotFound
from journey.refusals import AlreadyBooked, NotAllowed, StaleAction
from journey.survey import BadAnswer, RefusalReason, SurveyClosed, SurveyDisabled

RAISE = "test.raise"
MESSAGE = "application/vnd.microsoft.activity.message"


class Turn:
    """The little of a DialogTurn that answering a refusal uses."""

    def __init__(self, config: LoadedConfig, locale: str = "da-DK") -> None:
        self.config = config
        self.locale = locale
        self.first_contact = False
        self.sent: list[tuple[str, Any]] = []

    def text(self, key: str, **params: Any) -> str:
        return self.config.text(key, self.locale, **params)

    def speaker(self, unit: str | None = None) -> Speaker:
        return Speaker(self.config, self.locale, unit)

    async def send_text(self, text: str) -> None:
        self.sent.append(("text", text))

    async def send_card(self, card: dict[str, Any]) -> None:
        self.sent.append(("card", card))


@pytest.fixture(scope="module")
def config() -> LoadedConfig:
    return load_config(default_config_dir())


def raising(refusal: Exception) -> Router:
    """The bot's router, with one more verb and one command whose handlers raise `refusal`."""

    async def verb_handler(_turn: DialogTurn, _payload: NoPayload) -> Any:
        raise refusal

    async def command_handler(_turn: DialogTurn) -> None:
        raise refusal

    router = build_router()
    router.verb(RAISE, NoPayload, verb_handler)
    router.command(Command.HELP, command_handler)
    return router


async def press(router: Router, turn: Turn) -> dict[str, Any]:
    value = {"action": {"type": "Action.Execute", "verb": RAISE, "data": {}}}
    result = await router.on_invoke(cast(DialogTurn, turn), value)
    return result.body()


def booked() -> Departure:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    return Departure(
        id="d1",
        leaver_upn="ane@example.org",
        leaver_name="Ane",
        manager_upn="bo@example.org",
        unit="",
        last_working_day=date(2026, 3, 31),
        status=DepartureStatus.BOOKED,
        interviewer_upn="hr@example.org",
        interviewer_name="Hanne",
        meeting_start=start,
        meeting_end=start.replace(hour=10),
        meeting_event_id="e1",
    )


TEXTS = [
    (NotAllowed(), "error.not_allowed"),
    (StaleAction(), "error.stale_action"),
    (NotFound("d1"), "error.stale_action"),
    (PersonNotReachable("blocked"), "error.generic"),
    (DirectoryUnavailable(), "error.generic"),
    (NotYetHeld(), "notes.too_early"),
    (NoteTooLong(), "notes.too_long"),
    (NotOffered(), "thanks.not_offered"),
    (BadAnswer(RefusalReason.TOO_LONG, "q1"), "survey.refused.too_long"),
    (BadAnswer(RefusalReason.UNKNOWN_CHOICE, "q1"), "survey.refused.unknown_choice"),
    (SurveyClosed(), "survey.closed"),
    (SurveyDisabled(), "survey.not_available"),
]


@pytest.mark.parametrize(("refusal", "key"), TEXTS, ids=lambda v: type(v).__name__)
async def test_a_refused_card_action_answers_with_its_text(
    config: LoadedConfig, refusal: Exception, key: str
) -> None:
    turn = Turn(config)
    body = await press(raising(refusal), turn)
    assert body == {"statusCode": 200, "type": MESSAGE, "value": config.text(key, "da-DK")}
    assert turn.sent == []


@pytest.mark.parametrize(("refusal", "key"), TEXTS, ids=lambda v: type(v).__name__)
async def test_a_refused_command_posts_the_same_text(
    config: LoadedConfig, refusal: Exception, key: str
) -> None:
    turn = Turn(config, locale="sv-SE")
    await raising(refusal).on_message(cast(DialogTurn, turn), "help")
    assert turn.sent == [("text", config.text(key, "sv-SE"))]


async def test_a_second_pick_answers_with_the_booking_that_stands(config: LoadedConfig) -> None:
    departure = booked()
    body = await press(raising(AlreadyBooked(departure)), Turn(config, locale="nb-NO"))
    expected = confirmation_card(Speaker(config, "nb-NO", None), departure)
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert body["value"] == expected


async def test_an_unreachable_calendar_is_logged_by_kind_only(
    config: LoadedConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    await press(raising(PersonNotReachable("blocked", "ane@example.org")), Turn(config))
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "PersonNotReachable" in record.getMessage()
    assert "ane@example.org" not in record.getMessage()


async def test_anything_else_is_not_swallowed(config: LoadedConfig) -> None:
    with pytest.raises(ZeroDivisionError):
        await press(raising(ZeroDivisionError()), Turn(config))
