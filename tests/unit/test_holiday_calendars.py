"""Each Nordic calendar loaded on its own gives the days the `holidays` package gives."""

from __future__ import annotations

import holidays
import pytest

from journey.closed_days import COUNTRIES, usual_categories
from journey.holiday_calendars import MODULES, country_calendar


def test_every_country_the_product_knows_is_loaded_on_its_own() -> None:
    assert set(MODULES) == set(COUNTRIES)


@pytest.mark.parametrize("country", COUNTRIES)
def test_the_same_closed_days_as_the_package_in_every_subdivision(country: str) -> None:
    categories = usual_categories(country)
    for subdivision in (None, *holidays.country_holidays(country).subdivisions):
        ours = country_calendar(country, subdiv=subdivision, years=2027, categories=categories)
        theirs = holidays.country_holidays(
            country, subdiv=subdivision, years=2027, categories=categories
        )
        assert dict(ours) == dict(theirs), (country, subdivision)
    assert type(ours) is type(theirs)  # the same class, whichever was imported first
