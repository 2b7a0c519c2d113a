"""The daily retention job as the service runs it, with HR's shipped YAML and a fixed clock."""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlalchemy import func, select

from config.loader import default_config_dir, load_config
from jobs.retention import answer_keeper, retention_job
from journey.clock import FixedClock
from storage.database import Database
from storage.tables import departures, survey_answers
from testkit.waiting import wait_until
from tests.storage.privacy_seed import IDA, NOW, REPORTABLE, mentions, seed, snapshot


def test_the_shipped_question_set_keeps_only_reportable_choice_answers() -> None:
    keep = answer_keeper(load_config(default_config_dir()))
    for question_set, question in REPORTABLE:
        assert keep(question_set, question)
    assert not keep("standard", "reasons_more")  # free text
    assert not keep("standard", "no_such_question")
    assert not keep("gone_set", "expectations")


async def _anonymous(db: Database) -> int:
    async with db.sessions() as session:
        return int(
            await session.scalar(select(func.count()).where(departures.c.leaver_upn == "")) or 0
        )


def _between_rounds(name: str, instances: int) -> bool:
    """Every job loop called `name` has finished its round and sleeps until the next one."""
    loops = [task for task in asyncio.all_tasks() if task.get_name() == name]
    # A loop task awaits either its work or asyncio.sleep; the latter means the round is over.
    waiting_on = [getattr(task.get_coro(), "cr_await", None) for task in loops]
    return len(loops) == instances and all(
        getattr(getattr(awaited, "cr_code", None), "co_name", "") == "sleep"
        for awaited in waiting_on
    )


async def test_the_job_runs_at_start_up_and_a_second_instance_changes_nothing(
    db: Database,
) -> None:
    await seed(db)
    config = load_config(default_config_dir())
    assert config.retention_months == 12
    app = web.Application()
    jobs = [
        retention_job(lambda: db, lambda: config, FixedClock(NOW), every_seconds=3600)(app)
        for _ in range(2)  # two instances of the service
    ]
    for job in jobs:
        await anext(job)
    try:
        await wait_until(lambda: _between_rounds("data-retention", 2), what="both rounds done")
    finally:
        for job in jobs:
            await anext(job, None)
    assert await _anonymous(db) == 2
    tables = await snapshot(db)
    assert mentions(tables, IDA.upn, IDA.name) == {}
    async with db.sessions() as session:
        kept = await session.scalar(
            select(func.count()).where(survey_answers.c.departure_id.like("anon-%"))
        )
    assert kept == 3  # expectations, meaningful, reasons
