"""Background upkeep keeps going through failures and logs no message text."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiohttp import web

from jobs.periodic import every
from testkit.waiting import PATIENCE


async def test_a_failing_round_is_logged_by_kind_and_the_next_round_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rounds: list[int] = []
    third_round = asyncio.Event()

    async def work() -> str | None:
        rounds.append(len(rounds))
        if len(rounds) >= 3:
            third_round.set()
        if len(rounds) == 1:
            raise ValueError("Sofie told me she is burnt out")  # must never reach the log
        return "did a thing" if len(rounds) == 2 else None

    context = every(0.01, "upkeep", work)(web.Application())
    with caplog.at_level(logging.INFO, logger="jobs.periodic"):
        await context.__anext__()
        await asyncio.wait_for(third_round.wait(), PATIENCE)  # generous: a loaded machine
        with pytest.raises(StopAsyncIteration):
            await context.__anext__()  # the app stops: the loop is cancelled
    assert len(rounds) >= 3
    logged = [record.getMessage() for record in caplog.records]
    assert "upkeep failed: ValueError" in logged
    assert "upkeep: did a thing" in logged
    assert not any("burnt out" in line for line in logged)
    stopped_at = len(rounds)
    # No loop task is left that could run another round (rather than waiting and hoping).
    assert not [task for task in asyncio.all_tasks() if task.get_name() == "upkeep"]
    assert len(rounds) == stopped_at
