"""How far ahead a last working day may be registered (issue 12): HR's organisation.yaml says
(`departures.max_days_ahead`, a year unless it says otherwise); the one registration validation
refuses a later day for a new departure, a repeat of its externalId and a moved day alike."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest

from config.loader import LoadedConfig, default_config_dir, load_config
from config.schema import DepartureSettings
from journey.registration_rules import LAST_DAY_TOO_FAR, Problem
from tests.config.builder import write_config
from tests.config.test_mistakes import org, problems_in
from tests.registration.helpers import HR, NOW, Setup, request

TODAY = NOW.date()  # 09:00 in Copenhagen: the same day there
TOO_FAR = (Problem(field="last_working_day", code=LAST_DAY_TOO_FAR),)


@pytest.fixture
def default_config() -> LoadedConfig:
    """The default configuration with HR allowing registrations 30 days ahead."""
    config = load_config(default_config_dir())
    organisation = config.organisation.model_copy(
        update={"departures": DepartureSettings(max_days_ahead=30)}
    )
    return dataclasses.replace(config, organisation=organisation)


async def test_the_last_allowed_day_is_registered_and_the_day_after_is_refused(
    setup: Setup,
) -> None:
    later = await setup.service.register(
        request(last_working_day=TODAY + timedelta(days=31)), HR, door="api"
    )
    assert later.problems == TOO_FAR
    assert await setup.count_departures() == 0
    assert await setup.count_audit() == 0

    last = await setup.service.register(
        request(last_working_day=TODAY + timedelta(days=30)), HR, door="api"
    )
    assert last.departure is not None
    assert setup.events.names == ["registered"]


async def test_moving_the_day_past_the_bound_is_refused_and_changes_nothing(
    setup: Setup,
) -> None:
    soon = TODAY + timedelta(days=20)
    registered = await setup.service.register(
        request(external_id="HR-9", last_working_day=soon), HR, door="api"
    )
    created = registered.departure
    assert created is not None
    far = TODAY + timedelta(days=31)

    moved = await setup.service.change_last_day(created.id, far, HR, door="teams")
    repeated = await setup.service.register(
        request(external_id="HR-9", last_working_day=far), HR, door="csv"
    )
    assert moved.problems == TOO_FAR
    assert repeated.problems == TOO_FAR
    assert await setup.repository.get(created.id) == created
    assert setup.events.names == ["registered"]


def test_a_year_unless_hr_says_otherwise(tmp_path: Path) -> None:
    assert load_config(default_config_dir()).max_days_ahead == 365
    files = org("hr:\n", "departures:\n  max_days_ahead: 730\nhr:\n")
    assert load_config(write_config(tmp_path, files)).max_days_ahead == 730


def test_a_bound_of_zero_days_is_reported_with_file_and_line(tmp_path: Path) -> None:
    files = org("hr:\n", "departures:\n  max_days_ahead: 0\nhr:\n")
    assert problems_in(tmp_path, files) == [
        "organisation.yaml:3:19: departures.max_days_ahead: input should be greater than or "
        "equal to 1 (got 0)"
    ]
