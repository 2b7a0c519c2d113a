"""HR's inbox of leave dates (journey.leave_dates.LeaveDateInbox): the findings waiting for
HR, and HR's acts on them. Each act takes the revision HR's card showed (StaleFinding
otherwise) and registers through the one RegistrationService as HR's UPN."""

from __future__ import annotations

from datetime import date

from journey.clock import Clock
from journey.leave_date_acts import LeaveDateActs
from journey.leave_date_rules import AUDIT_DISMISSED, AUDIT_KEPT, with_revision
from journey.leave_date_store import LeaveDateStore
from journey.leave_dates import (
    WAITING_FOR_HR,
    CheckStatus,
    Finding,
    FindingState,
    StaleFinding,
)

_S = FindingState


class HrLeaveDates:
    """The findings HR acts on, on the check's store (LeaveDateCheck is one, too)."""

    def __init__(self, store: LeaveDateStore, acts: LeaveDateActs, clock: Clock) -> None:
        self._store = store
        self._acts = acts
        self._clock = clock

    async def waiting(self) -> list[Finding]:
        """Findings waiting for HR, soonest leave date first (no date last)."""
        found = await self._store.in_states(WAITING_FOR_HR)
        return sorted(found, key=lambda f: (f.leave_date or date.max, f.user_id))

    async def confirm(
        self, actor: str, user_id: str, revision: int, unit: str | None = None
    ) -> Finding:
        """Register it (TO_CONFIRM, NO_UNIT with `unit`, NOT_REGISTERED to try again)."""
        stored = await self._current(user_id, revision)
        allowed = {_S.TO_CONFIRM, _S.NO_UNIT, _S.NOT_REGISTERED}
        if stored.state not in allowed or stored.leave_date is None:
            raise StaleFinding(user_id)
        chosen = unit or stored.unit
        if chosen is None:
            raise ValueError("a unit is needed for a leave date whose unit does not map")
        draft = stored.model_copy(update={"unit": chosen, "seen_at": self._clock.now()})
        counts: list[str] = []
        finding = with_revision(stored, await self._acts.register(draft, actor, counts))
        await self._store.save(finding, stored.revision)
        return finding

    async def dismiss(self, actor: str, user_id: str, revision: int) -> Finding:
        """HR says no: nothing is registered; a later new leave date asks again."""
        stored = await self._current(user_id, revision)
        if stored.state not in {_S.TO_CONFIRM, _S.NO_UNIT, _S.NOT_REGISTERED}:
            raise StaleFinding(user_id)
        finding = await self._hr_saves(stored, _S.DISMISSED)
        await self._acts.record(actor, AUDIT_DISMISSED, stored)
        return finding

    async def cancel_departure(self, actor: str, user_id: str, revision: int) -> Finding:
        """TO_CANCEL: the leave date was cleared, so cancel the departure."""
        stored = await self._current(user_id, revision)
        if stored.state is not _S.TO_CANCEL:
            raise StaleFinding(user_id)
        if stored.departure_id:
            await self._acts.cancel(stored.departure_id, actor)
        return await self._hr_saves(stored, _S.GONE)

    async def keep_departure(self, actor: str, user_id: str, revision: int) -> Finding:
        """TO_CANCEL: the departure stands although Entra has no leave date now."""
        stored = await self._current(user_id, revision)
        if stored.state is not _S.TO_CANCEL:
            raise StaleFinding(user_id)
        finding = await self._hr_saves(stored, _S.REGISTERED)
        await self._acts.record(actor, AUDIT_KEPT, stored)
        return finding

    async def status(self) -> CheckStatus:
        """How the last check went."""
        state = await self._store.state()
        failure = state.failure if state.failure in ("not_allowed", "unavailable") else None
        return CheckStatus(
            checked_at=state.checked_at,
            report=state.report,
            failure=failure,  # type: ignore[arg-type]
            failed_at=state.failed_at,
        )

    async def _current(self, user_id: str, revision: int) -> Finding:
        stored = await self._store.get(user_id)
        if stored is None:
            raise KeyError(user_id)
        if stored.revision != revision:
            raise StaleFinding(user_id)
        return stored

    async def _hr_saves(self, stored: Finding, state: FindingState) -> Finding:
        changed = stored.model_copy(update={"state": state, "problem": None})
        finding = with_revision(stored, changed)
        await self._store.save(finding, stored.revision)
        return finding
