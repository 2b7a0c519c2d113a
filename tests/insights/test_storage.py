"""storage.insights on SQLite and PostgreSQL: the counts, the statistics filter, suppression."""

from __future__ import annotations

import pytest

from config.insights import insights_rules, reportable_questions
from config.loader import LoadedConfig, default_config_dir, load_config
from journey.insights_service import Insights, gather
from journey.periods import Period, Tiling
from storage.database import Database
from storage.insights import SqlInsightsSource
from testkit.insights_seed import (
    MANAGER_UPN,
    comments,
    derivable_by_subtraction,
    one_small_unit,
    seed,
)

# Whole years, so the seed's leavers of June 2025 are in the period before.
YEAR = Period.year(2026)
UNITS = ("home-care", "social-care", "technical-services")


@pytest.fixture(scope="module")
def config() -> LoadedConfig:
    return load_config(default_config_dir())


async def _insights(db: Database, config: LoadedConfig, unit: str | None) -> Insights:
    return await gather(
        SqlInsightsSource(db),
        YEAR,
        unit,
        reportable_questions(config),
        insights_rules(config).model_copy(update={"period": Tiling.YEAR}),
        comment_limit=50,
    )


async def test_one_small_unit_reveals_nobody(db: Database, config: LoadedConfig) -> None:
    await seed(db, one_small_unit())
    org = (await _insights(db, config, None)).report
    # Every non-cancelled departure counts; answers only when sent and released to statistics.
    assert org.current.departures.value == 1 + 12 + 30 + 6 + 6
    assert org.current.answered_share.value == pytest.approx((1 + 12 + 30) / 55)
    assert org.current.reasons_respondents.value == 43
    assert "workload" not in org.current.reasons, "interviewer-only and unsent answers count"
    assert org.previous.departures.value == 20
    assert org.previous.areas["motivation"].value == pytest.approx(3.0)

    home = (await _insights(db, config, "home-care")).report
    social = (await _insights(db, config, "social-care")).report
    technical = (await _insights(db, config, "technical-services")).report
    # home-care has 13 departures: shown as a count, but its one counted answer is hidden ...
    assert home.current.departures.value == 13
    assert home.current.areas["motivation"].hidden
    assert home.current.recommend_share.hidden
    assert home.current.reasons == {}
    # ... and social-care, the next-smallest answering group, is hidden with it.
    assert social.current.areas["motivation"].hidden
    assert social.current.recommend_share.hidden
    assert technical.current.areas["motivation"].value == pytest.approx(4.0)
    # Subtracting the shown unit from the organisation leaves 13 answers, not one.
    org_recommend = org.current.recommend_share
    tech_recommend = technical.current.recommend_share
    left = org_recommend.n - tech_recommend.n
    assert left == 13


async def test_a_unit_derivable_by_subtraction_is_covered(
    db: Database, config: LoadedConfig
) -> None:
    await seed(db, derivable_by_subtraction())
    reports = {unit: (await _insights(db, config, unit)).report for unit in UNITS}
    org = (await _insights(db, config, None)).report
    assert org.current.departures.value == 39
    assert reports["home-care"].hidden
    assert reports["social-care"].hidden, "6 >= 5, but showing it would give home-care away"
    assert reports["technical-services"].current.departures.value == 30
    shown = sum(r.current.departures.value or 0 for r in reports.values() if not r.hidden)
    assert org.current.departures.value - shown == 9


@pytest.mark.parametrize(("writers", "shown"), [(9, False), (10, True)])
async def test_comments_from_a_group_of_nine_stay_hidden(
    db: Database, config: LoadedConfig, writers: int, shown: bool
) -> None:
    await seed(db, comments(writers))
    for unit in (None, "technical-services"):
        found = await _insights(db, config, unit)
        texts = found.comments.get("stay", ())
        assert bool(texts) is shown
        assert all(text.startswith("Counted comment") for text in texts)
        assert len(texts) == (writers if shown else 0)


async def test_managed_units(db: Database) -> None:
    await seed(db, one_small_unit())
    source = SqlInsightsSource(db)
    assert await source.managed_units(MANAGER_UPN.upper()) == {"technical-services"}
    assert await source.managed_units("nobody@contoso.example") == frozenset()
    assert await source.managed_units(None) == frozenset()
