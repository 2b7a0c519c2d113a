"""`POST /_test/clock` (local mode with EXITBOT_TEST_CLOCK only): move the service's time on.

Body: {"days": 3} (also "hours", "minutes", "seconds"), or {"to": "2026-12-18T07:05:00Z"}.
Answer: {"now": "..."}; the delivery worker then sends whatever became due.
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from bot.typedefs import TEST_CLOCK
from journey.clock import ShiftedClock

PATH = "/_test/clock"


class Move(BaseModel):
    """How far to move: a step forward, or a moment to move to."""

    model_config = ConfigDict(extra="forbid")

    days: float = Field(0, ge=0, le=3650)
    hours: float = Field(0, ge=0)
    minutes: float = Field(0, ge=0)
    seconds: float = Field(0, ge=0)
    to: AwareDatetime | None = None


async def move_clock(request: web.Request) -> web.Response:
    """Move the clock forward; 400 with the reason for a body that does not parse."""
    try:
        move = Move.model_validate_json(await request.read())
    except ValidationError as exc:
        reasons = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        return web.json_response({"error": "; ".join(reasons)}, status=400)
    clock = request.app[TEST_CLOCK]
    now: datetime
    if move.to is not None:
        now = clock.advance_to(move.to)
    else:
        now = clock.advance(
            days=move.days, hours=move.hours, minutes=move.minutes, seconds=move.seconds
        )
    return web.json_response({"now": now.isoformat()})


def add_test_clock(app: web.Application, clock: ShiftedClock) -> None:
    """Serve the clock's route; only create_app calls this, and only in local mode."""
    app[TEST_CLOCK] = clock
    app.router.add_post(PATH, move_clock)
