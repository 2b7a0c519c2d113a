"""What the leave-date check and HR's inbox do to departures: register or move one through
the one RegistrationService (door `entra`), link to another door's, and audit their own acts."""

from __future__ import annotations

from pydantic import ValidationError

from journey.clock import Clock
from journey.departure import Departure, Door
from journey.leave_date_rules import AUDIT_LINKED, entra_external_id
from journey.leave_dates import Finding, FindingState
from journey.ports import AuditEntry, AuditLog, DepartureRepository, NotFound
from journey.registration import RegistrationService
from journey.registration_rules import (
    UNKNOWN_PERSON,
    Outcome,
    OutcomeKind,
    RegistrationRequest,
    is_active,
)

DOOR = Door.ENTRA
_S = FindingState


class LeaveDateActs:
    """Registering, moving, cancelling and linking a finding's departure; the audit rows."""

    def __init__(
        self,
        registration: RegistrationService,
        departures: DepartureRepository,
        audit: AuditLog,
        clock: Clock,
    ) -> None:
        self._registration = registration
        self._departures = departures
        self._audit = audit
        self._clock = clock

    async def cancel(self, departure_id: str, actor: str) -> Outcome:
        """Cancel the finding's departure (the leave date was cleared)."""
        return await self._registration.cancel(departure_id, actor, door=DOOR)

    async def register(self, finding: Finding, actor: str, counts: list[str]) -> Finding:
        """Move the finding's running departure to the leave date, or register one."""
        assert finding.leave_date is not None
        running = await self.running(finding.departure_id)
        if running is not None:
            outcome = await self._registration.change_last_day(
                running.id, finding.leave_date, actor, door=DOOR
            )
            if outcome.rejected:
                counts.append("not_registered")
                return _refused(finding, outcome)
            if outcome.kind is OutcomeKind.UPDATED:
                counts.append("moved")
            return finding.model_copy(update={"state": _S.REGISTERED, "problem": None})
        try:
            request = RegistrationRequest(
                leaver=finding.upn,
                unit=finding.unit,
                last_working_day=finding.leave_date,
                locale=_locale(finding.preferred_language),
                external_id=await self._free_external_id(finding.user_id),
            )
        except ValidationError:
            counts.append("not_registered")
            return finding.model_copy(
                update={"state": _S.NOT_REGISTERED, "problem": UNKNOWN_PERSON}
            )
        outcome = await self._registration.register(request, actor, door=DOOR)
        if outcome.rejected and outcome.active_id:  # another door was first: link to it
            linked = finding.model_copy(
                update={"state": _S.REGISTERED, "problem": None, "departure_id": outcome.active_id}
            )
            await self.linked(linked, actor, counts)
            return linked
        if outcome.rejected or outcome.departure is None:
            counts.append("not_registered")
            return _refused(finding, outcome)
        if outcome.kind is OutcomeKind.CREATED:
            counts.append("registered")
        elif outcome.kind is OutcomeKind.UPDATED:
            counts.append("moved")
        return finding.model_copy(
            update={"state": _S.REGISTERED, "problem": None, "departure_id": outcome.departure.id}
        )

    async def linked(self, finding: Finding, actor: str, counts: list[str]) -> None:
        counts.append("linked")
        await self.record(actor, AUDIT_LINKED, finding)

    async def _free_external_id(self, user_id: str) -> str:
        """`entra:<id>`, or after an ended departure under it, `entra:<id>:<that one's id>`
        (the same answer on a retry, so a retry finds what the first try registered)."""
        candidate = entra_external_id(user_id)
        for _ in range(100):
            existing = await self._departures.get_by_external_id(candidate)
            if existing is None or is_active(existing):
                return candidate
            candidate = f"{entra_external_id(user_id)}:{existing.id}"
        return candidate

    async def running(self, departure_id: str | None) -> Departure | None:
        if departure_id is None:
            return None
        try:
            departure = await self._departures.get(departure_id)
        except NotFound:
            return None
        return departure if is_active(departure) else None

    async def active(self, upn: str) -> Departure | None:
        """The person's departure that is neither closed nor cancelled, if any."""
        if not upn:
            return None
        for departure in await self._departures.list_for_person(upn):
            if departure.leaver_upn == upn and is_active(departure):
                return departure
        return None

    async def record(self, actor: str, action: str, finding: Finding) -> None:
        """An audit row of the check's or HR's own: the door and the Entra object id."""
        entry = AuditEntry(
            at=self._clock.now(),
            actor=actor,
            action=action,
            departure_id=finding.departure_id,
            detail={"door": DOOR.value, "entra_user": finding.user_id},
        )
        await self._audit.record(entry)


def _refused(finding: Finding, outcome: Outcome) -> Finding:
    problem = outcome.problems[0].code if outcome.problems else None
    return finding.model_copy(update={"state": _S.NOT_REGISTERED, "problem": problem})


def _locale(language: str | None) -> str | None:
    """Entra's preferredLanguage as a registration locale; None when it is not one."""
    if not language:
        return None
    try:
        RegistrationRequest.model_validate(
            {"leaver": "x@x.x", "last_working_day": "2000-01-01", "locale": language}
        )
    except ValidationError:
        return None
    return language
