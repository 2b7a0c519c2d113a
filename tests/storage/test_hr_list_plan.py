"""HR's list reads through its index in the order it shows, on SQLite and PostgreSQL: the
database's own plan for a page names ix_departures_hr_list and sorts no whole table (issue 13).

A plan, not a timing: bench/hr_status.py prints the figures."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from journey.hr_status import QUIET, HrQuery
from storage.database import Database
from storage.departures import SqlDepartureRepository
from storage.hr_list import hr_list_statements
from testkit import hr_list_seed

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TODAY = NOW.date()
INDEX = "ix_departures_hr_list"


def _page_sql(db: Database, query: HrQuery, offset: int) -> str:
    page, _count = hr_list_statements(
        db.dialect, query, today=TODAY, now=NOW, quiet_since=NOW - QUIET
    )
    dialect = sqlite.dialect() if db.dialect == "sqlite" else postgresql.dialect()
    compiled = (
        page.limit(20)
        .offset(offset)
        .compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    )
    return str(compiled)


async def _plan(connection: AsyncConnection, db: Database, sql: str) -> list[str]:
    if db.dialect == "sqlite":
        rows = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")
        return [row[-1] for row in rows]
    rows = await connection.exec_driver_sql(f"EXPLAIN {sql}")
    return [row[0] for row in rows]


def _full_sorts(db: Database, plan: list[str]) -> list[str]:
    """Plan lines that sort a whole result (a sort of one day's ties is fine)."""
    if db.dialect == "sqlite":
        return [line for line in plan if "TEMP B-TREE FOR ORDER BY" in line]
    # "Sort" sorts everything below it; "Incremental Sort" only runs of one presorted key.
    return [line for line in plan if line.strip().removeprefix("->").strip().startswith("Sort  (")]


async def test_a_page_of_active_departures_reads_the_index_in_order(db: Database) -> None:
    await SqlDepartureRepository(db).add_many(hr_list_seed.departures(2000, TODAY, NOW))
    async with db.engine.connect() as connection:
        await connection.execute(text("ANALYZE"))
        if db.dialect == "postgresql":
            # 2,000 rows: PostgreSQL would rather read and sort them all. Make that dear, so the
            # plan shows what it can do with the index, as it chooses itself at 100,000
            # (an index scan, and a backward one with an incremental sort of one day's ties).
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                await connection.execute(text(f"SET {setting} = off"))
        for query, offset in ((HrQuery(), 0), (HrQuery(), 400), (HrQuery(unit="home-care"), 0)):
            plan = await _plan(connection, db, _page_sql(db, query, offset))
            using_index = [line for line in plan if INDEX in line]
            assert len(using_index) == 2, plan  # the upcoming part and the past part
            assert _full_sorts(db, plan) == [], plan
            assert not [line for line in plan if "SCAN departures" in line or "Seq Scan" in line]


async def test_the_count_of_active_departures_reads_only_the_index(db: Database) -> None:
    await SqlDepartureRepository(db).add_many(hr_list_seed.departures(500, TODAY, NOW))
    _page, count = hr_list_statements(
        db.dialect, HrQuery(), today=TODAY, now=NOW, quiet_since=NOW - QUIET
    )
    dialect = sqlite.dialect() if db.dialect == "sqlite" else postgresql.dialect()
    sql = str(count.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    async with db.engine.connect() as connection:
        if db.dialect == "postgresql":
            await connection.execute(text("SET enable_seqscan = off"))
        plan = await _plan(connection, db, sql)
    assert [line for line in plan if INDEX in line], plan
