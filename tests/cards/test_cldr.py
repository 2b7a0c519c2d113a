"""Dates and numbers on the cards are written as Babel writes them, without Babel in the service.

cards.cldr holds CLDR's names and symbols for the four languages as literal tables; these tests
compare every date of two whole years (one a leap year) in every pattern the cards use, and a
range of the percentages and numbers the insights card shows, with Babel (a test dependency
only). After an upgrade of Babel that changes a name, write the table again from Babel.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from cards.base import markdown_safe
from cards.cldr import (
    MONTHS,
    MONTHS_SHORT,
    MONTHS_SHORT_STAND_ALONE,
    WEEKDAYS,
    written_date,
    written_number,
    written_percent,
)
from cards.locale import DATE_STYLES
from journey.locale import SUPPORTED_LANGUAGES

REPO = Path(__file__).resolve().parents[2]
YEARS = (2026, 2028)  # 2028 is a leap year
# Every date pattern of the cards: each language's styles (cards.locale), and a month on the
# insights card (cards.insights.month_label).
PATTERNS = sorted(
    {style.date for style in DATE_STYLES.values()}
    | {style.day for style in DATE_STYLES.values()}
    | {"MMM y"}
)


@pytest.fixture(scope="module")
def babel() -> ModuleType:
    return pytest.importorskip(
        "babel.dates", reason="Babel (a dev dependency) is what cards.cldr is checked against"
    )


@pytest.fixture(scope="module")
def babel_numbers() -> ModuleType:
    return pytest.importorskip(
        "babel.numbers", reason="Babel (a dev dependency) is what cards.cldr is checked against"
    )


def _days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_every_day_of_two_years_is_written_as_babel_writes_it(babel: ModuleType, lang: str) -> None:
    differing = [
        (day, pattern, ours, theirs)
        for year in YEARS
        for day in _days(year)
        for pattern in PATTERNS
        if (ours := written_date(day, pattern, lang))
        != (theirs := babel.format_date(day, pattern, locale=lang))
    ]
    assert differing == []


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_the_tables_are_cldrs_names(babel: ModuleType, lang: str) -> None:
    def months(width: str, context: str) -> tuple[str, ...]:
        names = babel.get_month_names(width, context, lang)
        return tuple(names[month] for month in range(1, 13))

    assert MONTHS[lang] == months("wide", "format") == months("wide", "stand-alone")
    assert MONTHS_SHORT[lang] == months("abbreviated", "format")
    assert MONTHS_SHORT_STAND_ALONE[lang] == months("abbreviated", "stand-alone")
    names = babel.get_day_names("wide", "format", lang)
    assert WEEKDAYS[lang] == tuple(names[day] for day in range(7))


def test_a_norwegian_date_with_a_stand_alone_month_starts_no_numbered_list() -> None:
    # "des" is Norwegian's stand-alone abbreviation only ("des." in a date): still a month.
    assert markdown_safe("3. des 2026") == "3\\. des 2026"


def _shares() -> list[float]:
    """Shares as the insights card gets them: a count of a count, a donut's whole percent,
    and beyond: halves that round to even, negatives, a negative zero, thousands of percent."""
    of_counts = [k / n for n in range(1, 201) for k in range(n + 1)]
    donut = [p / 100 for p in range(101)]
    wide = [n / 1000 for n in range(-2000, 150_001, 7)]
    edges = [-0.0, 0.0, -0.004, 0.005, 0.015, 0.125, 0.135, 0.145, 9.995, 1234.565, -12.345]
    return of_counts + donut + wide + edges


def _numbers() -> list[float]:
    """Means of ratings (1..5) of up to 60 answers, counts, and others with both signs."""
    means = [k / n for n in range(1, 61) for k in range(n, 5 * n + 1)]
    counts = list(range(0, 20_001, 3))
    others = [n / 100 for n in range(-200_000, 200_001, 37)]
    edges = [-0.0, -0.04, 0.05, 0.25, 0.35, 2.25, 999.95, 1234.5, 12345.678, -9999.96]
    return means + counts + others + edges


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_percentages_are_written_as_babel_writes_them(babel_numbers: ModuleType, lang: str) -> None:
    differing = [
        (share, ours, theirs)
        for share in _shares()
        if (ours := written_percent(share, lang))
        != (theirs := babel_numbers.format_percent(share, locale=lang))
    ]
    assert differing == []


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_numbers_are_written_as_babel_writes_them(babel_numbers: ModuleType, lang: str) -> None:
    differing = [
        (value, pattern, ours, theirs)
        for value in _numbers()
        for places, pattern in ((0, "0"), (1, "0.0"))
        if (ours := written_number(value, lang, places))
        != (theirs := babel_numbers.format_decimal(value, format=pattern, locale=lang))
    ]
    assert differing == []


def test_numbers_in_each_language() -> None:
    # Without Babel too: the no-break space before "%" and between thousands, the comma.
    assert [written_percent(0.42, lang) for lang in SUPPORTED_LANGUAGES] == [
        "42\u00a0%",
        "42\u00a0%",
        "42\u00a0%",
        "42%",
    ]
    assert written_percent(12.345, "sv") == "1\u00a0234\u00a0%"
    assert written_percent(12.345, "da") == "1.234\u00a0%"
    assert written_number(3.45, "da", places=1) == "3,4"
    assert written_number(3.45, "en", places=1) == "3.4"
    assert written_number(1234, "nb") == "1234"


def test_a_pattern_with_a_field_not_written_here_is_refused() -> None:
    with pytest.raises(ValueError, match="'MM'"):
        written_date(date(2026, 1, 1), "d.MM.y", "da")


def test_the_service_and_its_cards_write_dates_and_numbers_without_babel() -> None:
    probe = (
        "import pkgutil, sys\n"
        "from datetime import UTC, date, datetime\n"
        "from zoneinfo import ZoneInfo\n"
        "import bot.app, cards\n"
        "for module in pkgutil.iter_modules(cards.__path__):\n"
        "    __import__(f'cards.{module.name}')\n"
        "from cards.insights import month_label, number\n"
        "from cards.locale import Speaker\n"
        "from config.loader import default_config_dir, load_config\n"
        "from journey.insights import Kind\n"
        "from journey.insights_figures import Figure\n"
        "from journey.periods import Month\n"
        "config = load_config(default_config_dir())\n"
        "now = datetime(2026, 11, 24, 9, tzinfo=UTC)\n"
        "for lang in ('da', 'sv', 'nb', 'en'):\n"
        "    say = Speaker(config, lang)\n"
        "    say.day(date(2026, 12, 22)), say.moment(now, ZoneInfo('Europe/Oslo'))\n"
        "    month_label(say, Month(2026, 11)), number(say, Figure(0.42, 9), Kind.SHARE)\n"
        "    number(say, Figure(3.5, 9), Kind.MEAN)\n"
        "print(sorted(m for m in sys.modules if m == 'babel' or m.startswith('babel.')))\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=REPO,
    )
    assert shown.stdout.strip() == "[]"
