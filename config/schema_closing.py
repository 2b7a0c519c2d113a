"""HR's YAML for the end of a case: when a departure closes by itself (journey.closing)."""

from __future__ import annotations

from pydantic import Field

from config.schema_base import Strict
from journey.closing import DEFAULT_DAYS_AFTER_LAST_DAY


class Closing(Strict):
    """`closing`: how many days after the last working day (or a later conversation) the
    case closes by itself; 0 closes it the night after the last working day."""

    days_after_last_day: int = Field(DEFAULT_DAYS_AFTER_LAST_DAY, ge=0, le=365)
