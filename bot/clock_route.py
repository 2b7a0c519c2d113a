"""`POST /_test/clock` (local mode with EXITBOT_TEST_CLOCK only): move the service's time on.

Body: {"days": 3} (also "hours", "minutes", "seconds"), or {"to": "2026-12-18T07:05:00Z"}.
Answer: {"now": "..."}; the delivery worker then sends whatever became due. The clock runs at
most ten years ahead of the real time: a move beyond that (a year 9999, a billion hours) is
answered 400 with the reason, and the clock stays where it was.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from bot.typedefs import TEST_CLOCK
from journey.clock import ShiftedClock

PATH = "/_test/clock"
MAX_AHEAD = timedelta(days=3653)  # ten years
_DAYS = MAX_AHEAD.days


class Move(BaseModel):
    """How far to move: a step forward, or a moment to move to."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    days: float = Field(0, ge=0, le=_DAYS)
    hours: float = Field(0, ge=0, le=_DAYS * 24)
    minutes: float = Field(0, ge=0, le=_DAYS * 24 * 60)
    seconds: float = Field(0, ge=0, le=_DAYS * 24 * 3600)
    to: AwareDatetime | None = None


def _refused(reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=400)


async def move_clock(request: web.Request) -> web.Response:
    """Move the clock forward; 400 with the reason for a body that does not parse or a move
    past the bound."""
    try:
        move = Move.model_validate_json(await request.read())
    except ValidationError as exc:
        reasons = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        return _refused("; ".join(reasons))
    clock = request.app[TEST_CLOCK]
    latest = datetime.now(UTC) + MAX_AHEAD
    if move.to is not None:
        target = move.to
    else:
        step = timedelta(
            days=move.days, hours=move.hours, minutes=move.minutes, seconds=move.seconds
        )
        target = clock.now() + step  # each part is at most ten years: no overflow
    if target > latest:
        return _refused(
            f"the test clock runs at most {MAX_AHEAD.days} days (ten years) ahead of the real "
            f"time, until {latest.isoformat(timespec='seconds')}; it stays at "
            f"{clock.now().isoformat(timespec='seconds')}"
        )
    now = clock.advance_to(target)
    return web.json_response({"now": now.isoformat()})


def add_test_clock(app: web.Application, clock: ShiftedClock) -> None:
    """Serve the clock's route; only create_app calls this, and only in local mode."""
    app[TEST_CLOCK] = clock
    app.router.add_post(PATH, move_clock)
