"""HR's YAML for the patterns on the interviewer's task card (issue 14, seed 001)."""

from __future__ import annotations

from config.schema_base import Strict


class Patterns(Strict):
    """Seed 001: look at patterns from earlier exit conversations before the meeting."""

    # While the conversation is booked, the interviewer's task card shows what earlier leavers
    # of the unit said (top reasons, ratings per area, who would recommend the workplace) over
    # the newest whole insights period, small groups hidden as in insights; false: not shown.
    on_task_card: bool = True
