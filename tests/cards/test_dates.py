"""One date style per language on every card, and dates at the start of a line that Teams'
markdown would turn into a numbered list."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from cards.base import facts, heading, markdown_safe, paragraph
from cards.locale import Speaker
from config.loader import LoadedConfig, default_config_dir, load_config

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
LAST_DAY = date(2026, 12, 22)
# Tuesday 24 November 2026, 10:00–11:00 in Copenhagen; saved at 09:30 on 22 December.
START, END = datetime(2026, 11, 24, 9, 0, tzinfo=UTC), datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
SAVED = datetime(2026, 12, 22, 8, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def config() -> LoadedConfig:
    return load_config(default_config_dir())


@pytest.mark.parametrize(
    ("locale", "day", "span", "moment"),
    [
        (
            "da-DK",
            "22. december 2026",
            "tirsdag 24. nov. kl. 10.00–11.00",
            "22. december 2026 kl. 09.30",
        ),
        (
            "sv-SE",
            "22 december 2026",
            "tisdag 24 nov. kl. 10.00–11.00",
            "22 december 2026 kl. 09.30",
        ),
        (
            "nb-NO",
            "22. desember 2026",
            "tirsdag 24. nov. kl. 10.00–11.00",
            "22. desember 2026 kl. 09.30",
        ),
        # British, not US: day before month, on every card.
        (
            "en-US",
            "22 December 2026",
            "Tuesday 24 November 10:00–11:00",
            "22 December 2026 at 09:30",
        ),
    ],
)
def test_each_language_writes_dates_and_times_one_way(
    config: LoadedConfig, locale: str, day: str, span: str, moment: str
) -> None:
    say = Speaker(config, locale)
    assert say.day(LAST_DAY) == day
    assert say.span(START, END, COPENHAGEN) == span
    assert say.moment(SAVED, COPENHAGEN) == moment


@pytest.mark.parametrize("locale", ["da", "nb"])
def test_a_date_that_starts_a_line_is_not_a_numbered_list(
    config: LoadedConfig, locale: str
) -> None:
    say = Speaker(config, locale)
    line = f"{say.day(LAST_DAY)} · {say('state.offered')}"
    escaped = line.replace("22.", "22\\.", 1)
    assert paragraph(line)["text"] == escaped
    assert heading(line)["text"] == escaped
    fact = facts([("Sofie Andersen", line)])["facts"][0]
    assert fact == {"title": "Sofie Andersen", "value": escaped}
    # On a later line too, and with the short month a meeting time uses.
    assert paragraph(f"Sofie\n{line}")["text"] == f"Sofie\n{escaped}"
    assert markdown_safe("3. nov. kl. 10.00") == "3\\. nov. kl. 10.00"


def test_only_a_leading_date_is_escaped() -> None:
    # In the middle of a sentence a date is no list; HR's own numbered lists stay lists.
    assert markdown_safe("Din sidste dag er 22. december 2026.") == (
        "Din sidste dag er 22. december 2026."
    )
    assert markdown_safe("1. Aflever nøglekort\n2. Ryd skrivebordet") == (
        "1. Aflever nøglekort\n2. Ryd skrivebordet"
    )
    assert markdown_safe("22 December 2026 · Offered") == "22 December 2026 · Offered"


@pytest.mark.parametrize(("locale", "clock"), [("da", "%H.%M"), ("en-GB", "%H:%M")])
def test_every_minute_of_a_day_is_written_as_strftime_writes_it(
    config: LoadedConfig, locale: str, clock: str
) -> None:
    say = Speaker(config, locale)
    written = say.day(LAST_DAY)
    for minutes in range(0, 24 * 60):
        moment = datetime(2026, 12, 22, minutes // 60, minutes % 60, tzinfo=COPENHAGEN)
        assert say.moment(moment, COPENHAGEN).endswith(f"{moment:{clock}}")
        assert say.moment(moment, COPENHAGEN).startswith(written)


def test_a_day_is_written_in_its_own_zone_however_often_it_is_asked(config: LoadedConfig) -> None:
    say = Speaker(config, "en")
    for _ in range(2):
        # The same instant, on two dates in two zones.
        late = datetime(2026, 12, 22, 23, 30, tzinfo=UTC)
        assert say.moment(late, UTC) == "22 December 2026 at 23:30"
        assert say.moment(late, COPENHAGEN) == "23 December 2026 at 00:30"
        assert say.day(late.astimezone(COPENHAGEN)) == "23 December 2026"
        assert say.day(late) == "22 December 2026"
