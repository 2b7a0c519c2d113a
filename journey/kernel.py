"""What every domain service does with a departure: read it, check the asker, save, audit.

The services (journey.flow, journey.survey_service, journey.after_conversation,
journey.registration) are lists of rules; this is the one place that reads a departure or
calls a card stale, refuses an asker who may not (NotAllowed, with why and the departure:
dialogs.router writes every refusal to the audit log, once), and saves with the version
check, reading again and re-applying the rule when someone else saved first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from journey.access import Asker
from journey.clock import Clock
from journey.departure import Departure
from journey.ports import AuditEntry, AuditLog, ConcurrentUpdate, DepartureRepository, NotFound
from journey.refusals import NotAllowed, Reason, StaleAction

SAVE_ATTEMPTS = 5

# A rule applied to the stored departure: the changed copy, or None to leave it as it is.
Change = Callable[[Departure], Departure | None]


@dataclass(frozen=True)
class Refusal:
    """What NotAllowed says of a refused asker: the audit action, whom it
    is for (`reason`, e.g. journey.access.refusal_for_act) and words for the audit log."""

    action: str
    detail: Mapping[str, str] = field(default_factory=dict)
    reason: Reason = Reason.NOT_INVOLVED


@dataclass(frozen=True)
class Saved:
    """The departure as the rule saw it and as it is stored now (the same when unchanged)."""

    before: Departure
    after: Departure

    @property
    def changed(self) -> bool:
        return self.after is not self.before


class Kernel:
    """Reads, access checks, saves with retry and audit entries for the domain services."""

    def __init__(self, departures: DepartureRepository, audit: AuditLog, clock: Clock) -> None:
        self.departures = departures
        self._audit = audit
        self._clock = clock

    async def get(self, departure_id: str) -> Departure:
        """The stored departure; journey.ports.NotFound if there is none."""
        return await self.departures.get(departure_id)

    async def get_or_stale(self, departure_id: str) -> Departure:
        """The stored departure; a card for one that is gone is StaleAction."""
        try:
            return await self.departures.get(departure_id)
        except NotFound:
            raise StaleAction("no such departure") from None

    async def open(
        self,
        departure_id: str,
        allowed: Callable[[Departure], bool],
        refusal: Refusal,
    ) -> Departure:
        """The departure if `allowed` says yes for it; else NotAllowed, with the departure and
        the reason for the audit log (written once, by dialogs.router, whoever refuses)."""
        departure = await self.get_or_stale(departure_id)
        if not allowed(departure):
            raise NotAllowed(
                refusal.reason,
                departure_id=departure.id,
                action=refusal.action,
                detail=refusal.detail,
            )
        return departure

    async def apply(
        self, departure_id: str, change: Change, *, attempts: int = SAVE_ATTEMPTS
    ) -> Saved:
        """Apply `change` to the stored departure and save; on a concurrent save, again."""
        for _attempt in range(attempts):
            current = await self.departures.get(departure_id)
            changed = change(current)
            if changed is None:
                return Saved(current, current)
            try:
                return Saved(current, await self.departures.update(changed))
            except ConcurrentUpdate:
                continue
        raise ConcurrentUpdate(f"departure {departure_id} kept changing; gave up")

    async def update(
        self, departure_id: str, change: Change, *, attempts: int = SAVE_ATTEMPTS
    ) -> Departure:
        """The departure after `change` was applied and saved (see `apply`)."""
        return (await self.apply(departure_id, change, attempts=attempts)).after

    async def record(
        self, actor: Asker | str, action: str, departure_id: str | None, **detail: str
    ) -> None:
        """Write one audit entry; `detail` holds words and ids, never what someone typed."""
        await self._audit.record(
            AuditEntry(
                at=self._clock.now(),
                actor=actor if isinstance(actor, str) else actor.audit_name,
                action=action,
                departure_id=departure_id,
                detail={key: str(value) for key, value in detail.items()},
            )
        )
