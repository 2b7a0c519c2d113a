"""Who may read which survey answer: the one place every read of answers goes through.

The leaver decides (seed 003: what they say must not be used against them; seed 004: "do you
want the feedback to be anonymous?"). The leaver sees all their own answers. The person they
chose to hold the conversation sees the answers shared with them, once the survey is sent;
whoever holds it now (journey.access follows `interviewer_upn`), so a change of person or a
handover (journey.plan_changes) moves the answers to the new person and away from the old.
A manager the leaver did not choose, HR and anyone else see no one's answers: statistics-only
answers reach HR only as anonymous counts (a later issue), never one by one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from journey.access import Role
from journey.survey import Answer, Attribution

_READABLE: Mapping[Role, frozenset[Attribution]] = MappingProxyType(
    {
        Role.LEAVER: frozenset(Attribution),
        Role.INTERVIEWER: frozenset({Attribution.NAMED, Attribution.INTERVIEWER_ONLY}),
        Role.MANAGER: frozenset(),
        Role.HR: frozenset(),
        Role.OTHER: frozenset(),
    }
)
# Counted in HR's anonymous statistics (only questions HR marked reportable).
COUNTED: frozenset[Attribution] = frozenset({Attribution.NAMED, Attribution.ANONYMOUS_STATS})


def readable(roles: Iterable[Role]) -> frozenset[Attribution]:
    """The attributions of the answers someone with `roles` may read."""
    found: set[Attribution] = set()
    for role in roles:
        found |= _READABLE[role]
    return frozenset(found)


def reads_drafts(roles: Iterable[Role]) -> bool:
    """Only the leaver sees answers before they are sent (their own, to go on with)."""
    return Role.LEAVER in roles


def visible_answers(roles: Iterable[Role], answers: Iterable[Answer]) -> list[Answer]:
    """The answers someone with `roles` may read (the storage query applies the same rule)."""
    allowed = readable(roles)
    return [answer for answer in answers if answer.attribution in allowed]
