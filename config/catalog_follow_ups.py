"""The texts of follow-ups (issue 14) and the placeholders the code fills in for each: the task
card's list and form, the owner's card, what the leaver is shown was promised, the refusals.
Kept apart from config.catalog, which takes them in whole."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from journey.follow_up_rules import FollowUpState, OwnerKind

_WITHOUT_PARAMS = """
    title intro none add_open what owner person area area_other due add added overdue
    owner_label area_label due_label state_label outcome_label card_title reminder_note
    no_details outcome mark_done hand_on_to hand_on done_note promised_title
    due_missing due_past due_too_far what_bad outcome_bad area_bad unknown_owner
    owner_is_leaver not_owner
"""

FOLLOW_UP_TEXTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        **{f"follow_up.{key}": () for key in _WITHOUT_PARAMS.split()},
        **{f"follow_up.owner_choice.{kind.value}": () for kind in OwnerKind},
        **{f"follow_up.role.{kind.value}": () for kind in OwnerKind},
        **{f"follow_up.state.{state.value}": () for state in FollowUpState},
        "follow_up.card_intro": ("unit_name",),
        "follow_up.handed_on_note": ("name",),
        "follow_up.promised_line": ("role", "due", "state"),
    }
)
