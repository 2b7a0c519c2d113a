"""testkit.waiting.wait_while_progressing: waits as long as the work moves, fails on a stall."""

from __future__ import annotations

import asyncio
import time

import pytest

from testkit.waiting import NeverHappened, finished_while_progressing, wait_while_progressing


async def test_slow_work_that_moves_is_waited_for_past_the_patience() -> None:
    # Each look at the progress finds one more step done, and the work ends only after more
    # looks than fit in the patience (each look is at least an interval after the last).
    steps, enough = [0], asyncio.Event()

    def progress() -> int:
        steps[0] += 1
        if steps[0] >= 8:
            enough.set()
        return steps[0]

    async def work() -> str:
        await enough.wait()
        return "finished"

    began = time.monotonic()
    assert await finished_while_progressing(work(), progress, patience=0.2) == "finished"
    assert time.monotonic() - began > 0.2  # longer than the patience, and still not a failure


async def test_a_stall_fails_after_the_patience() -> None:
    done = [0]

    async def stalls() -> None:
        done[0] += 1
        await asyncio.Event().wait()  # never moves again

    with pytest.raises(NeverHappened, match="no progress"):
        await finished_while_progressing(stalls(), lambda: done[0], patience=0.2, what="stall")
    with pytest.raises(NeverHappened, match="no progress"):
        await wait_while_progressing(lambda: False, lambda: 3, patience=0.2, what="stall")
