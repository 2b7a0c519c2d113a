"""The local test clock (POST /_test/clock) takes any body: it moves forward or answers 400
with the reason, never 5xx, and its time stays one the service can work with."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.app import create_app
from bot.settings import Settings
from bot.typedefs import TEST_CLOCK
from storage.migrate import upgrade
from testkit.standins.serve import serve
from tests.properties.strategies import examples, json_values, short_text
from tests.properties.watch import assert_quiet

numbers = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 1, 3650, 3653, 10**9, 1e308]),
)
moments = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+14:00", "2026-12-18"]),
    short_text,
)
moves = st.one_of(
    st.dictionaries(st.sampled_from(["days", "hours", "minutes", "seconds"]), numbers, min_size=1),
    st.fixed_dictionaries({"to": moments}),
    json_values(6),
)


@pytest.fixture
async def clock_url(tmp_path: Path) -> AsyncIterator[tuple[str, Any]]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}",
        EXITBOT_LOCAL_MODE=True,
        EXITBOT_TEST_CLOCK=True,
    )
    await upgrade(settings.database_url)
    app = create_app(settings)
    async with serve(app) as url:
        yield url, app[TEST_CLOCK]


@examples(60)
@given(move=moves)
@example(move={"to": "9999-12-31T23:59:59+00:00"})
@example(move={"hours": 10**12})
@example(move={"days": 1e308})
async def test_the_test_clock_moves_or_says_why_not(
    clock_url: tuple[str, Any], caplog: pytest.LogCaptureFixture, move: Any
) -> None:
    url, clock = clock_url
    caplog.clear()
    before = clock.now()
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{url}/_test/clock", json=move) as response,
    ):
        assert response.status in (200, 400), await response.text()
        body = await response.json()
    assert ("now" if response.status == 200 else "error") in body
    assert before <= clock.now() <= datetime.now(UTC) + timedelta(days=3660)
    assert_quiet(caplog)
