"""Every journey card, in every language, is valid Adaptive Cards 1.5 as Teams renders it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cards.booking import (
    booking_replaced_card,
    cancelled_booking_card,
    confirmation_card,
    departure_cancelled_card,
    interviewer_booked_card,
    slots_card,
    waiting_card,
)
from cards.interviewer import interviewer_card
from cards.locale import Speaker
from cards.offer import declined_card, offer_card
from cards.status import HrListView, holding_card, hr_card, leaver_status_card
from cards.task import ask_times_card, choose_times_card, task_card, task_card_without_details
from config.loader import LoadedConfig, default_config_dir, load_config
from journey.booking import InterviewerOption
from journey.departure import Departure, DepartureStatus, InterviewerKind, Reach
from journey.hr_status import Attention, HrPage, HrQuery
from journey.slots import Slot
from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import LAST_DAY, texts_of

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Copenhagen
SLOTS = [
    Slot(start=START + timedelta(days=n), end=START + timedelta(days=n, hours=1)) for n in range(5)
]


@pytest.fixture(scope="module")
def config() -> LoadedConfig:
    return load_config(default_config_dir())


def departure(**changes: object) -> Departure:
    values: dict[str, object] = {
        "leaver_upn": "leaver@contoso.example",
        "leaver_name": "Sofie Andersen",
        "manager_upn": "manager@contoso.example",
        "unit": "social-care",
        "last_working_day": LAST_DAY,
        "status": DepartureStatus.ACCEPTED,
        "interviewer_upn": "hrpartner@contoso.example",
        "interviewer_name": "Peter Holm",
        "proposed_slots": [slot.key for slot in SLOTS],
    }
    values.update(changes)
    return Departure(**values)  # type: ignore[arg-type]


def booked() -> Departure:
    return departure(
        status=DepartureStatus.BOOKED,
        proposed_slots=[],
        meeting_start=SLOTS[0].start,
        meeting_end=SLOTS[0].end,
        meeting_event_id="event-1",
        meeting_join_url="https://teams.microsoft.com/l/meetup-join/event-1",
    )


def every_card(say: Speaker) -> list[dict]:
    choices = [
        (InterviewerOption(InterviewerKind.MANAGER, "manager@contoso.example"), "Mads Nielsen"),
        (InterviewerOption(InterviewerKind.HR_PARTNER, "hrpartner@contoso.example"), "Peter Holm"),
        (InterviewerOption(InterviewerKind.POOL, "union.rep@contoso.example"), "Lene"),
    ]
    waiting = departure(proposed_slots=[], times_requested_at=START)
    return [
        offer_card(say, departure(status=DepartureStatus.OFFERED), 60),
        offer_card(say, departure(status=DepartureStatus.OFFERED), 60, note="later"),
        declined_card(say, departure(status=DepartureStatus.DECLINED)),
        interviewer_card(say, departure(interviewer_upn=None), choices, intro="intro"),
        slots_card(say, departure(), SLOTS, 60, note="chosen"),
        waiting_card(say, departure(), found_none=True),
        confirmation_card(say, booked()),
        cancelled_booking_card(say, departure(proposed_slots=[])),
        interviewer_booked_card(say, booked()),
        departure_cancelled_card(say, was_booked=True),
        task_card(say, departure(), user_ids=["29:partner"]),
        task_card(say, booked(), user_ids=["29:partner"]),
        task_card(say, waiting, user_ids=["29:partner"]),
        task_card(say, departure(status=DepartureStatus.CANCELLED), user_ids=[]),
        task_card_without_details(say, "abc", user_ids=[]),
        ask_times_card(say, waiting),
        choose_times_card(say, waiting, SLOTS),
        choose_times_card(say, waiting, SLOTS[:2], note=say("booking.slot_taken")),
        choose_times_card(say, waiting, []),
        booking_replaced_card(say, departure()),
        leaver_status_card(say, booked(), confirmation_card(say, booked())),
        holding_card(say, [booked()]),
        hr_card(
            say,
            HrListView(
                page=HrPage(
                    departures=(departure(reach=Reach.BLOCKED), booked()),
                    total=2,
                    query=HrQuery(),
                    attention={"": (Attention.UNREACHABLE,)},
                ),
                units=[("social-care", "Social care")],
            ),
        ),
    ]


@pytest.mark.parametrize("language", ["da", "sv", "nb", "en"])
def test_every_journey_card_is_valid(config: LoadedConfig, language: str) -> None:
    assert_valid_cards(every_card(Speaker(config, language, "social-care")))


@pytest.mark.parametrize(
    ("language", "label"),
    [
        # Danish, Swedish and Norwegian times with "kl." and a full stop (issue 11).
        ("da", "tirsdag 24. nov. kl. 10.00–11.00"),
        ("sv", "tisdag 24 nov. kl. 10.00–11.00"),
        ("nb", "tirsdag 24. nov. kl. 10.00–11.00"),
        ("en", "Tuesday 24 November 10:00–11:00"),
    ],
)
def test_slots_are_buttons_in_the_leavers_language_and_zone(
    config: LoadedConfig, language: str, label: str
) -> None:
    card = slots_card(Speaker(config, language, "social-care"), departure(), SLOTS, 60)
    sets = [element for element in card["body"] if element["type"] == "ActionSet"]
    assert sets[0]["actions"][0]["title"] == label
    assert [s["actions"][0]["data"]["slot"] for s in sets] == [slot.key for slot in SLOTS]
    # No date or time pickers: they render poorly outside English and across zones.
    assert "Input.Date" not in str(card) and "Input.Time" not in str(card)


def test_the_task_card_refreshes_for_the_interviewer_only(config: LoadedConfig) -> None:
    case = booked()
    card = task_card(Speaker(config, "en"), case, user_ids=["29:partner"])
    assert card["refresh"] == {
        "action": {
            "type": "Action.Execute",
            "verb": "task.refresh",
            "data": {"departure": case.id, "mark": case.mark},
        },
        "userIds": ["29:partner"],
    }
    hidden = task_card_without_details(Speaker(config, "en"), case.id, user_ids=[])
    assert "Sofie" not in texts_of(hidden) and "event-1" not in str(hidden)


def test_the_invitation_card_says_the_conversation_is_voluntary(config: LoadedConfig) -> None:
    text = texts_of(offer_card(Speaker(config, "en"), departure(unit=""), 60))
    assert "voluntary" in text and "60 minutes" in text and "improve" in text
