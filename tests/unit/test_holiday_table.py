"""The public holidays written down in journey.holiday_table are the `holidays` package's days,
every one; a unit's closed days come from them without importing the package, and from the
package for what is not written down (another year, a subdivision, other categories)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import holidays
import pytest

from journey.closed_days import COUNTRIES, public_holidays, usual_categories
from journey.holiday_table import DAYS, FIRST, LAST, usual_holidays


@pytest.mark.parametrize("country", COUNTRIES)
def test_every_written_day_is_the_packages(country: str) -> None:
    assert sorted(DAYS[country]) == list(range(FIRST, LAST + 1))
    categories = usual_categories(country)
    for year in range(FIRST, LAST + 1):
        package = holidays.country_holidays(country, years=year, categories=categories)
        assert usual_holidays(country, year) == frozenset(package), (
            f"{country} {year}: the table differs from holidays {holidays.__version__}; "
            "write it again: python -m journey.holiday_table"
        )


def test_what_is_not_written_down_comes_from_the_package() -> None:
    assert usual_holidays("DK", LAST + 1) is None
    christmas = date(LAST + 1, 12, 25)
    assert christmas in public_holidays("DK", None, usual_categories("DK"), LAST + 1)
    # Whit Monday is no public holiday in Sweden; a subdivision is asked of the package.
    assert date(2026, 5, 25) not in public_holidays("SE", None, usual_categories("SE"), 2026)
    norway = holidays.country_holidays("NO", subdiv="03", years=2026)
    assert public_holidays("NO", "03", ("public",), 2026) == frozenset(norway)


def test_closed_days_in_the_written_years_do_not_import_the_package() -> None:
    probe = (
        "import sys\n"
        "from datetime import date\n"
        "from journey.closed_days import ClosedDays\n"
        "for country in ('DK', 'SE', 'NO', 'FI'):\n"
        f"    assert ClosedDays(country).is_closed(date({FIRST + 2}, 12, 25))\n"
        f"    assert not ClosedDays(country).is_closed(date({FIRST + 2}, 12, 2))\n"
        "print('holidays' in sys.modules)\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert shown.stdout.strip() == "False"
