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


async def test_a_move_past_ten_years_is_refused_and_the_clock_stays(tmp_path: Path) -> None:
    settings = _settings(tmp_path, EXITBOT_LOCAL_MODE=True, EXITBOT_TEST_CLOCK=True)
    await upgrade(settings.database_url)
    app = create_app(settings)
    async with serve(app) as url, aiohttp.ClientSession() as http:
        clock = app[TEST_CLOCK]
        for bad, says in (
            ({"to": "9999-12-31T23:59:59Z"}, "at most 3653 days (ten years) ahead"),
            ({"hours": 1e12}, "hours: Input should be less than or equal to 87672"),
            ({"seconds": 1e300}, "seconds: Input should be less than or equal to"),
            ({"days": 3653, "hours": 87672}, "at most 3653 days (ten years) ahead"),
        ):
            before = clock.now()
            async with http.post(f"{url}/_test/clock", json=bad) as response:
                assert response.status == 400, bad
                assert says in (await response.json())["error"]
            assert clock.now() - before < timedelta(minutes=1)
        # Not a number at all (JSON's Infinity and NaN, as Python writes them): refused too.
        for raw in (b'{"days": Infinity}', b'{"hours": NaN}', b'{"to": "99999-01-01T00:00:00Z"}'):
            async with http.post(f"{url}/_test/clock", data=raw) as response:
                assert response.status == 400, raw
                assert (await response.json())["error"]
        # Ten years, step by step, is as far as it goes.
        async with http.post(f"{url}/_test/clock", json={"days": 3000}) as response:
            assert response.status == 200
        async with http.post(f"{url}/_test/clock", json={"days": 1000}) as response:
            assert response.status == 400
        async with http.post(f"{url}/_test/clock", json={"days": 600}) as response:
            assert response.status == 200
