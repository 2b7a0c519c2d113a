"""The one start-up every command shares, in process: what it opens and how it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.errors import EXIT_USAGE, CommandFailed
from cli.startup import started

UNUSABLE = 7  # a code no convention uses, to see that the command's own one comes back


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No exitbot settings from the machine running the tests."""
    for name in ("DATABASE_URL", "EXITBOT_CONFIG_DIR", "EXITBOT_LOCAL_MODE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


async def test_a_migrated_database_and_the_shipped_configuration_start(
    environment: pytest.MonkeyPatch, database_url: str
) -> None:
    environment.setenv("DATABASE_URL", database_url)
    async with started(with_config=True, unusable=UNUSABLE) as run:
        assert run.config.retention_months > 0
        assert run.db is not None


async def test_without_config_asked_for_none_is_read(
    environment: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    environment.setenv("DATABASE_URL", database_url)
    environment.setenv("EXITBOT_CONFIG_DIR", str(tmp_path))  # empty: would not load
    async with started(with_config=False, unusable=UNUSABLE) as run:
        with pytest.raises(RuntimeError):
            run.config  # noqa: B018


async def test_a_database_never_migrated_stops_with_the_commands_code(
    environment: pytest.MonkeyPatch, blank_database_url: str
) -> None:
    environment.setenv("DATABASE_URL", blank_database_url)
    with pytest.raises(CommandFailed) as failed:
        async with started(with_config=False, unusable=UNUSABLE):
            pass
    assert failed.value.code == UNUSABLE
    assert "exitbot db upgrade" in str(failed.value)


async def test_a_bad_configuration_stops_before_the_database_is_opened(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    environment.setenv("DATABASE_URL", "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    environment.setenv("EXITBOT_CONFIG_DIR", str(tmp_path))
    with pytest.raises(CommandFailed) as failed:
        async with started(with_config=True, unusable=UNUSABLE):
            pass
    assert failed.value.code == UNUSABLE
    assert str(tmp_path) in str(failed.value)


async def test_a_bad_setting_stops_with_exit_2(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("EXITBOT_LOCAL_MODE", "perhaps")
    with pytest.raises(CommandFailed) as failed:
        async with started(with_config=False, unusable=UNUSABLE):
            pass
    assert failed.value.code == EXIT_USAGE
