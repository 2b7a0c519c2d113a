"""Migrations: an empty database reaches head, and the service refuses an old schema."""

from __future__ import annotations

import warnings

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage.database import Database
from storage.migrate import (
    SchemaOutOfDate,
    alembic_config,
    check_schema,
    current_revision,
    head_revision,
    upgrade,
)
from storage.tables import metadata


async def test_upgrade_of_an_empty_database_reaches_head(blank_database_url: str) -> None:
    assert await current_revision(blank_database_url) is None

    await upgrade(blank_database_url)

    assert await current_revision(blank_database_url) == head_revision() == "0014"
    async with await Database.open(blank_database_url) as db:
        await check_schema(db)
        async with db.engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert set(metadata.tables) <= tables


async def test_upgrade_twice_changes_nothing(database_url: str) -> None:
    await upgrade(database_url)
    assert await current_revision(database_url) == head_revision()


async def test_check_schema_on_an_empty_database_says_what_to_run(
    blank_database_url: str,
) -> None:
    async with await Database.open(blank_database_url) as db:
        with pytest.raises(SchemaOutOfDate) as caught:
            await check_schema(db)
    message = str(caught.value)
    assert "run `exitbot db upgrade`" in message
    assert db.redacted_url in message
    assert head_revision() in message


def _stamp(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.stamp(config, revision, purge=True)


async def test_check_schema_names_both_revisions(database_url: str) -> None:
    async with await Database.open(database_url) as db:
        async with db.engine.begin() as connection:
            await connection.run_sync(_stamp, "base")
        with pytest.raises(SchemaOutOfDate, match="has no exitbot schema yet"):
            await check_schema(db)
        async with db.engine.begin() as connection:
            await connection.run_sync(
                lambda c: c.exec_driver_sql(
                    "INSERT INTO alembic_version (version_num) VALUES ('9999')"
                )
            )
        with pytest.raises(SchemaOutOfDate, match="at revision 9999, which this version"):
            await check_schema(db)


def _differences(connection: Connection) -> list[object]:
    with warnings.catch_warnings():
        # SQLite cannot reflect the lower(upn) expression index, and says so; PostgreSQL can.
        warnings.filterwarnings("ignore", message=".*expression-based index")
        return compare_metadata(MigrationContext.configure(connection), metadata)


async def test_migrations_build_exactly_the_tables_in_code(db: Database) -> None:
    # A column added to storage/tables.py without a migration shows up here.
    async with db.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []


async def test_upn_lookups_have_their_expression_index(db: Database) -> None:
    # find_by_upn runs on every proactive message; without the index it scans the table.
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        if db.dialect == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE tablename = 'conversation_refs'"
    )
    async with db.engine.connect() as connection:
        names = set((await connection.exec_driver_sql(query)).scalars())
    assert "ix_conversation_refs_lower_upn" in names


def _downgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, "base")


async def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    async with await Database.open(database_url) as db, db.engine.begin() as connection:
        await connection.run_sync(_downgrade)
    assert await current_revision(database_url) is None
    await upgrade(database_url)
    assert await current_revision(database_url) == head_revision()
