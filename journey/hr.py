"""Who counts as HR: the people HR's YAML lists, and members of the Entra ID group it names."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from journey.clock import Clock
from journey.people import DirectoryUnavailable, GroupMembership

log = logging.getLogger(__name__)

# A membership answer is kept this long: HR members act in bursts, and Graph throttles.
MEMBERSHIP_TTL = timedelta(minutes=5)


class HrConfig(Protocol):
    """What the roster needs of the loaded configuration (config.loaded.LoadedConfig)."""

    def is_hr_member(self, upn: str) -> bool: ...

    @property
    def hr_group_id(self) -> str | None: ...


class HrRoster:
    """Answers "is this person HR?" from the list first, then the group (cached)."""

    def __init__(
        self,
        config: Callable[[], HrConfig],
        groups: GroupMembership,
        clock: Clock,
        ttl: timedelta = MEMBERSHIP_TTL,
    ) -> None:
        self._config = config
        self._groups = groups
        self._clock = clock
        self._ttl = ttl
        self._known: dict[tuple[str, str], tuple[bool, datetime]] = {}

    async def is_hr(self, upn: str | None, object_id: str | None = None) -> bool:
        """Listed by UPN, or in HR's Entra ID group; False when neither can be shown."""
        config = self._config()
        if upn and config.is_hr_member(upn):
            return True
        group = config.hr_group_id
        person = object_id or upn
        if not group or not person:
            return False
        key, now = (person.lower(), group), self._clock.now()
        cached = self._known.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            member = await self._groups.is_member(person, group)
        except DirectoryUnavailable as exc:
            # Refuse rather than guess; not cached, so the next attempt asks again.
            log.warning("cannot check HR group membership: %s", exc)
            return False
        self._known[key] = (member, now + self._ttl)
        return member
