"""The demo's past departures: about 200 over two years, marked as demo data, written once and
only by the demo; the insights over them show figures, not "too few answers"."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from cli.demo_history import (
    AUDIT_ACTION,
    EXTERNAL_PREFIX,
    NAME_PREFIX,
    history,
    write_history,
)
from config.insights import insights_rules, reportable_questions
from config.loader import default_config_dir, load_config
from jobs.retention import answer_keeper
from journey.insights_service import gather
from journey.periods import Month, Period
from storage.database import Database
from storage.insights import SqlInsightsSource
from storage.retention import apply_retention
from storage.tables import audit_log, departures, survey_answers
from tests.cli.helpers import REPO, command_env, free_port, run_exitbot, serving

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
UNITS = {"social-care", "home-care", "technical-services"}


def test_the_history_is_two_years_of_the_demo_units_marked_and_the_same_each_time() -> None:
    leavers = history(NOW.date())
    assert 180 <= len(leavers) <= 220
    assert {leaver.unit for leaver in leavers} == UNITS
    months = {Month.of(leaver.last_day) for leaver in leavers}
    assert min(months) == Month(2024, 12) and max(months) == Month(2026, 11)
    assert len(months) == 24, "every month of the two years before this one"
    assert all(leaver.last_day < NOW.date() for leaver in leavers), "only past departures"
    assert all(leaver.external_id.startswith(EXTERNAL_PREFIX) for leaver in leavers)
    assert all(leaver.name.startswith(NAME_PREFIX) for leaver in leavers)
    assert len({leaver.external_id for leaver in leavers}) == len(leavers)
    assert len({leaver.id[:12] for leaver in leavers}) == len(leavers), "one UPN each"
    types = Counter(leaver.departure_type for leaver in leavers)
    assert types.most_common(1)[0][0] == "resignation" and len(types) == 3
    # Each half-year, every type a unit has counts at least 5, so the split by type is shown.
    halves = Counter(
        (leaver.unit, leaver.last_day.year, leaver.last_day.month > 6, leaver.departure_type)
        for leaver in leavers
        if leaver.last_day >= date(2025, 1, 1)  # the whole half-years of the two
    )
    assert min(halves.values()) >= 5, halves
    again = history(NOW.date())
    assert [(x.id, x.answers, x.last_day) for x in again] == [
        (x.id, x.answers, x.last_day) for x in leavers
    ]


async def _count(db: Database, statement) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(statement) or 0)


async def test_written_once_even_after_retention_anonymised_the_older_half(db: Database) -> None:
    written = await write_history(db, NOW)
    assert written == len(history(NOW.date()))
    all_rows = select(func.count()).select_from(departures)
    marked = all_rows.where(departures.c.external_id.like(f"{EXTERNAL_PREFIX}%"))
    assert await _count(db, marked) == written
    answers = await _count(db, select(func.count()).select_from(survey_answers))
    assert await write_history(db, NOW) == 0  # the demo started again
    config = load_config(default_config_dir())
    report = await apply_retention(
        db, months=config.organisation.data_retention_months, now=NOW,
        keep_answer=answer_keeper(config), pause=0,
    )  # fmt: skip
    assert report.departures > 50, "the older year is past retention"
    assert await write_history(db, NOW) == 0, "the audit entry, not the rows, remembers"
    assert await _count(db, all_rows) == written
    assert await _count(db, marked) == written - report.departures
    assert 0 < await _count(db, select(func.count()).select_from(survey_answers)) <= answers
    entries = select(func.count()).where(audit_log.c.action == AUDIT_ACTION)
    assert await _count(db, entries) == 1


async def test_the_insights_over_the_history_show_figures(db: Database) -> None:
    await write_history(db, NOW)
    config = load_config(default_config_dir())
    insights = await gather(
        SqlInsightsSource(db),
        Period(Month(2026, 1), Month(2026, 6)),
        None,
        reportable_questions(config),
        insights_rules(config),
    )
    now = insights.report.current
    assert not now.hidden and now.departures.value and now.departures.value > 30
    assert now.recommend_share.shown
    assert any(figure.shown for figure in now.reasons.values())
    assert any(figure.shown for figure in now.areas.values())
    assert not insights.report.previous.hidden
    # Issue 14: what the conversations agreed, per area, and how much of it is done.
    shown = {area: figures for area, figures in now.follow_ups.items() if figures[0].shown}
    assert shown, now.follow_ups
    assert all(0 < done.value <= agreed.value for agreed, done in shown.values()), shown


def test_the_history_agreed_follow_ups_most_of_those_due_done_and_some_open() -> None:
    leavers = history(NOW.date())
    agreed = [item for leaver in leavers for item in leaver.follow_ups]
    assert len(agreed) > 100
    assert all(item.due_on > leaver.last_day for leaver in leavers for item in leaver.follow_ups)
    done = [item for item in agreed if item.done]
    assert all(item.due_on < NOW.date() for item in done), "done only once due"
    assert len(agreed) * 0.5 < len(done) < len(agreed)
    overdue = [item for item in agreed if not item.done and item.due_on < NOW.date()]
    assert overdue, "some are overdue, as in a real organisation"
    assert all(NOW.date() - item.due_on < timedelta(days=120) for item in overdue), (
        "what is still open is from the last months, not the retention period's"
    )
    assert not any(leaver.follow_ups for leaver in leavers if not leaver.accepted)


async def test_serve_with_a_normal_configuration_writes_no_history(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"
    port = free_port()
    env = command_env(EXITBOT_LOCAL_MODE="true", DATABASE_URL=url, EXITBOT_PORT=str(port))
    code, _, err = await run_exitbot("db", "upgrade", env=env, cwd=REPO)
    assert code == 0, err
    async with serving(env):
        pass  # up and healthy: what start-up writes is written
    db = await Database.open(url)
    try:
        assert await _count(db, select(func.count()).select_from(departures)) == 0
        entries = select(func.count()).where(audit_log.c.action == AUDIT_ACTION)
        assert await _count(db, entries) == 0
    finally:
        await db.close()
