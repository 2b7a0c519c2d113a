"""The unit calendar in HR's YAML: country, subdivision, own closed days and half days, and the
mistakes HR can make there, each told at its file, line and column."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.loader import ConfigError, load_config
from config.rules import reminder_rules, unit_rules
from journey import booking, offer
from journey.closed_days import WHOLE_DAY
from journey.departure import Departure, InterviewerKind
from journey.slots import SlotSearch, propose_slots
from tests.config.builder import ORGANISATION, UNITS, write_config

DEFAULT = Path(__file__).resolve().parents[2] / "config" / "default"
CALENDAR = """\
  calendar:
    time_zone: Europe/Copenhagen
    working_hours: {start: "08:00", end: "16:00"}
"""
assert CALENDAR in ORGANISATION


def with_calendar(extra: str) -> dict[str, str]:
    """organisation.yaml with `extra` lines (6-space indent) under defaults.calendar (line 12)."""
    return {"organisation.yaml": ORGANISATION.replace(CALENDAR, CALENDAR + extra)}


def problems_in(root: Path, files: Mapping[str, str]) -> list[str]:
    write_config(root, files)
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    return [str(problem).removeprefix(f"{root}/") for problem in caught.value.problems]


def test_the_default_danish_calendar_closes_christmas_eve_and_grundlovsdag_afternoon() -> None:
    # The example organisation is a municipality: KL's agreements give these days.
    config = load_config(DEFAULT)
    closed = unit_rules(config, "home-care").closed_days
    assert closed.country == "DK"
    assert closed.closes_at(date(2027, 12, 24)) == WHOLE_DAY  # HR's own day off
    assert closed.closes_at(date(2027, 12, 31)) == WHOLE_DAY
    assert closed.closes_at(date(2027, 12, 25)) == WHOLE_DAY  # a public holiday
    # Grundlovsdag: the Danish public sector closes from 12:00; in 2028 it is 2. pinsedag too.
    assert closed.closes_at(date(2029, 6, 5)) == time(12)
    assert closed.closes_at(date(2028, 6, 5)) == WHOLE_DAY
    assert closed.closes_at(date(2029, 6, 6)) is None
    assert closed.closes_at(date(2029, 5, 1)) == time(12)  # 1. maj, in the municipalities
    # Reminders count working days on the same calendar.
    time_rules = reminder_rules(config, "home-care").time
    assert time_rules.add_working_days(date(2027, 12, 23), 1) == date(2027, 12, 27)


def test_a_swedish_unit_offers_no_time_on_midsommarafton(tmp_path: Path) -> None:
    units = UNITS + (
        "  - id: stockholm\n"
        "    name: Stockholm\n"
        "    calendar: {country: se, time_zone: Europe/Stockholm, closed_days: []}\n"
    )
    config = load_config(write_config(tmp_path, {"units.yaml": units}))
    rules = unit_rules(config, "stockholm")
    stockholm = ZoneInfo("Europe/Stockholm")
    slots = propose_slots(
        SlotSearch(
            now=datetime(2027, 6, 21, 5, tzinfo=UTC),  # Monday morning
            last_working_day=date(2027, 6, 25),  # midsommarafton
            length_minutes=60,
            zone=stockholm,
            closed_days=rules.closed_days,
            min_notice_hours=0,
        ),
        count=50,
    )
    days = {slot.start.astimezone(stockholm).date() for slot in slots}
    assert days == {date(2027, 6, day) for day in (21, 22, 23, 24)}
    # The Danish unit beside it works that Friday.
    assert unit_rules(config, "care").closed_days.closes_at(date(2027, 6, 25)) is None


def test_hr_writes_own_days_every_year_once_and_as_half_days(tmp_path: Path) -> None:
    files = with_calendar(
        "    closed_days:\n"
        '      - "12-24"\n'
        "      - 2027-05-07\n"
        '      - {day: "05-01", closes_at: "12:00", name: Arbejdernes kampdag}\n'
    )
    closed = unit_rules(load_config(write_config(tmp_path, files)), "roads").closed_days
    assert closed.closes_at(date(2030, 12, 24)) == WHOLE_DAY
    assert closed.closes_at(date(2027, 5, 7)) == WHOLE_DAY
    assert closed.closes_at(date(2028, 5, 8)) is None
    assert closed.closes_at(date(2029, 5, 1)) == time(12)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "    country: DE\n",
            "organisation.yaml:12:14: defaults.calendar.country: 'DE' is not a country with "
            "a calendar here; use one of DK, SE, NO, FI",
        ),
        (
            '    closed_days: ["13-40"]\n',
            "organisation.yaml:12:19: defaults.calendar.closed_days[0].day: "
            "'13-40' is not a day of the year (MM-DD)",
        ),
        (
            '    closed_days: [{day: "06-05", closes_at: "noon"}]\n',
            "organisation.yaml:12:45: defaults.calendar.closed_days[0].closes_at: "
            "'noon' is not a time of day as HH:MM, e.g. 08:00 or 16:30",
        ),
        (
            "    holidays: [2026-12-24]\n",
            "organisation.yaml:12:5: defaults.calendar.holidays: `holidays` is replaced: "
            "public holidays now come from `country` (and `subdivision`); list your own days "
            'off under `closed_days` (e.g. "12-24")',
        ),
        (
            "    country: NO\n    subdivision: '99'\n",
            "organisation.yaml:13:18: defaults.calendar.subdivision: NO has no subdivision '99'",
        ),
        (
            "    country: SE\n    holiday_categories: [public, defacto]\n",
            "organisation.yaml:13:34: defaults.calendar.holiday_categories[1]: SE has no holiday "
            "category 'defacto'; did you mean 'de_facto'? (usual: public, de_facto)",
        ),
    ],
    ids=["country", "day", "closing time", "old holidays", "subdivision", "category"],
)
def test_a_calendar_mistake_is_told_at_its_line(tmp_path: Path, extra: str, expected: str) -> None:
    problems = problems_in(tmp_path, with_calendar(extra))
    assert any(problem.startswith(expected) for problem in problems), problems


def test_a_unit_whose_country_lacks_the_inherited_subdivision_is_told_at_the_unit(
    tmp_path: Path,
) -> None:
    files = {
        **with_calendar("    country: FI\n    subdivision: '01'\n"),
        "units.yaml": UNITS + "    calendar: {country: DK}\n",
    }
    problems = problems_in(tmp_path, files)
    assert len(problems) == 1, problems
    assert problems[0].startswith("units.yaml:")
    assert "units[1].calendar.subdivision: DK has no subdivision '01'" in problems[0]


def test_a_norwegian_leaver_is_offered_no_time_on_17_may(tmp_path: Path) -> None:
    """From HR's YAML through the unit's rules to the times offered (journey.booking)."""
    units = UNITS + (
        "  - id: oslo\n"
        "    name: Oslo\n"
        "    calendar: {country: NO, time_zone: Europe/Oslo, closed_days: []}\n"
    )
    rules = unit_rules(load_config(write_config(tmp_path, {"units.yaml": units})), "oslo")
    oslo = ZoneInfo("Europe/Oslo")
    departure = Departure(
        leaver_upn="ingrid@contoso.example",
        leaver_name="Ingrid Hansen",
        manager_upn="mads@contoso.example",
        unit="oslo",
        time_zone="Europe/Oslo",
        last_working_day=date(2027, 5, 21),
    )
    departure = offer.accept(offer.offered(departure))
    chosen = booking.InterviewerOption(InterviewerKind.MANAGER, "mads@contoso.example")
    departure = booking.choose_interviewer(departure, chosen, rules, "Mads Nielsen")
    now = datetime(2027, 5, 13, 6, tzinfo=UTC)  # Thursday 08:00 in Oslo
    search = booking.search_for(departure, rules, now)
    assert search is not None
    days = {
        slot.start.astimezone(oslo).date()
        for slot in booking.free_for_both(departure, rules, search, [])
    }
    # Friday 14 and Tuesday 18 to Friday 21 May; Monday 17 May is grunnlovsdagen.
    assert days == {date(2027, 5, 14), *(date(2027, 5, day) for day in (18, 19, 20, 21))}
