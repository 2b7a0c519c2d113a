"""The asker's local scope (journey.local_ownership) for the flows that show a unit's figures
or follow-ups: `insights`, `follow-ups` and the help that lists them."""

from __future__ import annotations

from dialogs.turn import DialogTurn, wired
from journey.local_ownership import LocalScope, local_scope


def represented_units(turn: DialogTurn) -> frozenset[str]:
    """The units the person is a representative of (HR's YAML; no query)."""
    return turn.config.represented_units(turn.actor.upn)


async def scope_of(turn: DialogTurn) -> LocalScope:
    """Which units the person may see, and in which role."""
    return await local_scope(
        turn.actor.upn,
        hr=turn.is_hr(),
        represented=represented_units(turn),
        managers=wired(turn.services.insights, "insights"),
    )
