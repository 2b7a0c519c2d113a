"""EXITBOT_TEST_CLOCK: only in local mode, moves the service's time forward, never back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from pydantic import ValidationError

from bot.app import create_app
from bot.settings import Settings
from bot.typedefs import TEST_CLOCK
from storage.migrate import upgrade
from testkit.standins.serve import serve


def _settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}",
        **values,
    )


def test_outside_local_mode_the_setting_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as raised:
        _settings(
            tmp_path,
            EXITBOT_TEST_CLOCK=True,
            MICROSOFT_APP_ID="app",
            MICROSOFT_APP_TENANT_ID="tenant",
            MICROSOFT_APP_PASSWORD="secret",
        )
    assert "EXITBOT_TEST_CLOCK=true needs EXITBOT_LOCAL_MODE=true" in str(raised.value)


async def test_without_the_setting_there_is_no_such_route(tmp_path: Path) -> None:
    settings = _settings(tmp_path, EXITBOT_LOCAL_MODE=True)
    await upgrade(settings.database_url)
    async with (
        serve(create_app(settings)) as url,
        aiohttp.ClientSession() as http,
        http.post(f"{url}/_test/clock", json={"days": 1}) as response,
    ):
        assert response.status in (404, 405)


async def test_the_clock_moves_forward_and_refuses_nonsense(tmp_path: Path) -> None:
    settings = _settings(tmp_path, EXITBOT_LOCAL_MODE=True, EXITBOT_TEST_CLOCK=True)
    await upgrade(settings.database_url)
    app = create_app(settings)
    async with serve(app) as url, aiohttp.ClientSession() as http:
        clock = app[TEST_CLOCK]
        before = clock.now()
        async with http.post(f"{url}/_test/clock", json={"days": 2}) as response:
            assert response.status == 200
            moved = (await response.json())["now"]
        assert clock.now() - before >= timedelta(days=2)
        assert moved.startswith((before + timedelta(days=2)).date().isoformat())

        at = clock.now()
        past = (at - timedelta(days=5)).isoformat()
        async with http.post(f"{url}/_test/clock", json={"to": past}) as response:
            assert response.status == 200
        assert clock.now() - at < timedelta(seconds=5)  # not back in time

        for bad in ({"days": -1}, {"to": "2026-12-18T08:00:00"}, {"weeks": 1}):
            async with http.post(f"{url}/_test/clock", json=bad) as response:
                assert response.status == 400
                assert (await response.json())["error"]
