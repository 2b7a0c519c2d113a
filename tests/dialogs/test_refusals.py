"""A refusal raised by any card action or command is answered once, by the router's registry."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest

from cards.booking import confirmation_card
from cards.locale import Speaker
from config.loaded import LoadedConfig
from config.loader import default_config_dir, load_config
from dialogs.commands import Command
from dialogs.router import NoPayload, Router
from dialogs.routes import NOT_ALLOWED_TEXTS, build_router
from dialogs.turn import DialogTurn
from journey.after_conversation import NoteTooLong, NotOffered, NotYetHeld
from journey.clock import FixedClock
from journey.departure import Departure, DepartureStatus
from journey.people import DirectoryUnavailable, PersonNotReachable
from journey.ports import NotFound
from journey.refusals import INSIGHTS_SCOPE, AlreadyBooked, NotAllowed, Reason, StaleAction
from journey.survey import BadAnswer, RefusalReason, SurveyClosed, SurveyDisabled
from testkit.fakes import FakeAuditLog

RAISE = "test.raise"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MESSAGE = "application/vnd.microsoft.activity.message"


class Turn:
    """The little of a DialogTurn that answering a refusal uses."""

    def __init__(self, config: LoadedConfig, locale: str = "da-DK") -> None:
        self.config = config
        self.locale = locale
        self.first_contact = False
        self.sent: list[tuple[str, Any]] = []
        self.actor = SimpleNamespace(user_id="u-ane", upn="ane@example.org")
        self.audit = FakeAuditLog()
        self.services = SimpleNamespace(audit=self.audit, clock=FixedClock(NOW))

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
    (NotAllowed(Reason.NOT_HR), "error.not_allowed"),
    (NotAllowed(Reason.NOT_LEAVER, departure_id="d1"), "error.for_leaver"),
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


@pytest.mark.parametrize("reason", list(Reason))
async def test_each_reason_is_told_with_its_own_text_in_every_language(
    config: LoadedConfig, reason: Reason
) -> None:
    key = NOT_ALLOWED_TEXTS[reason]
    texts = {config.text(key, lang) for lang in ("da", "sv", "nb", "en")}
    assert len(texts) == 4  # a real translation each, not one language copied
    if reason is not Reason.NOT_HR:
        # Only a refusal for not being HR says that only HR can do it.
        assert config.text(key, "en") != config.text("error.not_allowed", "en")
    turn = Turn(config, locale="nb-NO")
    body = await press(raising(NotAllowed(reason, departure_id="d1")), turn)
    assert body["value"] == config.text(key, "nb-NO")


def test_no_two_reasons_share_a_text() -> None:
    assert len(set(NOT_ALLOWED_TEXTS.values())) == len(NOT_ALLOWED_TEXTS) == len(Reason)


async def test_a_refusal_is_audited_once_by_the_router_with_who_what_and_why(
    config: LoadedConfig,
) -> None:
    turn = Turn(config)
    refusal = NotAllowed(
        Reason.NOT_INTERVIEWER, departure_id="d1", action="plan.refused", detail={"step": "x"}
    )
    await press(raising(refusal), turn)
    [entry] = turn.audit.entries
    assert (entry.at, entry.actor, entry.action, entry.departure_id) == (
        NOW,
        "ane@example.org",
        "plan.refused",
        "d1",
    )
    assert entry.detail == {"step": "x", "verb": RAISE, "reason": "not_interviewer"}


async def test_a_refused_command_about_figures_is_audited_with_its_scope(
    config: LoadedConfig,
) -> None:
    turn = Turn(config, locale="en")
    refusal = NotAllowed(Reason.NO_FIGURES, scope=INSIGHTS_SCOPE, action="insights.refused")
    await raising(refusal).on_message(cast(DialogTurn, turn), "help")
    assert turn.sent == [("text", config.text("insights.not_allowed", "en"))]
    [entry] = turn.audit.entries
    assert (entry.action, entry.departure_id) == ("insights.refused", None)
    assert entry.detail == {"verb": "help", "reason": "no_figures", "scope": "insights"}


async def test_other_refusals_are_not_written_as_refused_access(config: LoadedConfig) -> None:
    turn = Turn(config)
    await press(raising(StaleAction()), turn)
    assert turn.audit.entries == []
