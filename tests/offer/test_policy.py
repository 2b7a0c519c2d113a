"""HR's YAML decides per unit and type of departure what is offered: the pure rules, and the
YAML translated into them (with HR's mistakes reported where they are)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from config.loader import ConfigError, load_config
from config.rules import offer_policy
from config.survey_plan import survey_plan
from journey.departure import Departure, DepartureStatus, DepartureType
from journey.offer_policy import OfferMode, OfferPolicy, TypeOffer
from journey.reminders import ReminderRules, plan
from journey.survey import may_take_survey
from tests.config.builder import ORGANISATION, UNITS, write_config

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _departure(
    kind: DepartureType, status: DepartureStatus = DepartureStatus.REGISTERED
) -> Departure:
    return Departure(
        leaver_upn="leaver@example.org",
        manager_upn="boss@example.org",
        unit="care",
        last_working_day=date(2026, 12, 18),
        departure_type=kind,
        status=status,
        created_at=NOW,
    )


def test_by_default_every_type_is_offered_the_conversation_and_the_survey() -> None:
    policy = OfferPolicy()
    for kind in DepartureType:
        offered = policy.offered(kind)
        assert (offered.conversation, offered.survey) == (True, True)


def test_a_type_can_get_the_survey_instead_and_the_others_keep_the_unit_mode() -> None:
    policy = OfferPolicy(
        by_type={DepartureType.DISMISSAL: TypeOffer(conversation=False, survey=True)}
    )
    assert policy.offered(DepartureType.DISMISSAL).survey_instead
    assert policy.survey_instead_types() == {DepartureType.DISMISSAL}
    assert policy.offered(DepartureType.RESIGNATION).conversation


def test_survey_instead_for_a_unit_with_one_type_that_still_gets_a_conversation() -> None:
    policy = OfferPolicy(
        mode=OfferMode.SURVEY_INSTEAD,
        by_type={DepartureType.RETIREMENT: TypeOffer(conversation=True)},
    )
    assert policy.offered(DepartureType.RESIGNATION).survey_instead
    retirement = policy.offered(DepartureType.RETIREMENT)
    assert (retirement.conversation, retirement.survey) == (True, True)


def test_a_unit_without_a_survey_offers_none_even_instead() -> None:
    policy = OfferPolicy(mode=OfferMode.SURVEY_INSTEAD, survey_enabled=False)
    offered = policy.offered(DepartureType.OTHER)
    assert not offered.anything
    assert policy.no_survey_types() == set(DepartureType)


def test_a_departure_offered_no_conversation_has_no_offer_reminder_or_escalation() -> None:
    # It stays REGISTERED: only the handover, the farewell and the thank-you are planned.
    planned = plan(_departure(DepartureType.DISMISSAL), ReminderRules(), NOW)
    kinds = {p.kind.value for p in planned}
    assert kinds == {"farewell_reminder", "thank_you"}
    assert not kinds & {"offer_again", "offer_escalation", "booking_escalation"}


def _config(tmp_path: Path, unit_offer: str) -> Path:
    units = UNITS.replace(
        "  - id: roads\n    name: Roads\n", f"  - id: roads\n    name: Roads\n{unit_offer}"
    )
    write_config(tmp_path, {"organisation.yaml": ORGANISATION, "units.yaml": units})
    return tmp_path


def test_the_yaml_per_unit_and_type_becomes_the_policy_and_the_survey_plan(tmp_path: Path) -> None:
    config = load_config(
        _config(
            tmp_path,
            "    offer:\n      by_type:\n        dismissal: {conversation: false, survey: true}\n"
            "        retirement: {survey: false}\n",
        )
    )
    roads = offer_policy(config, "roads")
    assert roads.offered(DepartureType.DISMISSAL).survey_instead
    assert not roads.offered(DepartureType.RETIREMENT).survey
    assert offer_policy(config, "care").offered(DepartureType.DISMISSAL).conversation
    survey = survey_plan(config, "roads")
    today = date(2026, 11, 23)
    # The survey is open to the dismissed leaver at once (no conversation to wait for) ...
    assert may_take_survey(_departure(DepartureType.DISMISSAL), survey, today)
    # ... never to a retiring one of that unit, and not before the conversation otherwise.
    booked_retiree = _departure(DepartureType.RETIREMENT, DepartureStatus.ACCEPTED)
    assert not may_take_survey(
        booked_retiree.changed(interviewer_upn="boss@example.org"), survey, today
    )
    assert not may_take_survey(_departure(DepartureType.RESIGNATION), survey, today)


@pytest.mark.parametrize(
    ("offer", "where"),
    [
        ("    offer:\n      by_type:\n        fired: {conversation: false}\n", "by_type.fired"),
        ("    offer:\n      mode: email\n", "offer.mode"),
        ("    offer:\n      by_type:\n        dismissal: {talk: false}\n", "dismissal.talk"),
    ],
)
def test_a_mistake_in_the_offer_is_reported_with_its_place(
    tmp_path: Path, offer: str, where: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_config(tmp_path, offer))
    [problem] = [str(p) for p in caught.value.problems]
    assert "units.yaml:" in problem
    assert where in problem
