"""The check that turns leave dates in Entra ID into departures (issue 16), and HR's inbox.

    check = LeaveDateCheck(
        store,          # LeaveDateStore: storage.leave_dates.SqlLeaveDates(db, clock)
        source,         # journey.leave_dates.LeaveDateSource (Graph, or the local directory)
        registration,   # journey.registration.RegistrationService (the one behind every door)
        departures,     # journey.ports.DepartureRepository
        groups,         # journey.people.GroupMembership (asked only with a group_id)
        audit,          # journey.ports.AuditLog (links, HR's dismiss and keep)
        settings,       # Callable[[], LeaveDateSettings | None]: None turns the check off
        clock,
        holder,         # this instance's name for the lease, unique per process
        time_zone="Europe/Copenhagen",       # whose "today" decides (the organisation's)
        retention_months=lambda: 12,          # HR's data_retention_months
    )
    report = await check.run()   # CheckReport; skipped_check when another instance holds it

`run` holds the check through a lease row (one instance at a time), reads Entra (a full read
the first time, after a 410 or when the settings' attributes change: `start_delta` first, so a
change made during the read is in the next delta; else the delta since the saved link),
applies each user through journey.leave_date_rules and the RegistrationService (door `entra`,
actor `exitbot:entra`), decides AHEAD findings again, deletes done findings past retention,
and only then saves the new link: a crash before it reads again, and every act is idempotent
(external id `entra:<object id>`; one active departure per leaver in the database).
DirectoryUnavailable and LeaveDatesNotAllowed are recorded in the status and raised again.

The same object is HR's LeaveDateInbox (journey.leave_dates): HR's acts take the revision the
card showed (StaleFinding otherwise) and register through the same service as HR's UPN.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from journey.clock import Clock
from journey.departure import Departure, Door
from journey.leave_date_rules import (
    AUDIT_DISMISSED,
    AUDIT_KEPT,
    AUDIT_LINKED,
    Action,
    Decision,
    cleared,
    decide,
    entra_external_id,
    group_matters,
    merged,
    unread,
    with_revision,
)
from journey.leave_dates import (
    WAITING_FOR_HR,
    CheckReport,
    CheckStatus,
    EntraUser,
    Finding,
    FindingState,
    LeaveDateSettings,
    LeaveDatesNotAllowed,
    LeaveDateSource,
    ResyncNeeded,
    StaleFinding,
)
from journey.people import DirectoryUnavailable, GroupMembership
from journey.periods import add_months
from journey.ports import AuditEntry, AuditLog, DepartureRepository, NotFound
from journey.registration import RegistrationService
from journey.registration_rules import (
    UNKNOWN_PERSON,
    Outcome,
    OutcomeKind,
    RegistrationRequest,
    is_active,
)

log = logging.getLogger(__name__)

ACTOR = "exitbot:entra"  # the check's own acts in the audit log
DOOR = Door.ENTRA
# How long one check holds the lease; renewed while it runs, so a crashed instance's lease
# runs out and another takes over.
LEASE = timedelta(minutes=10)
SAVE_ATTEMPTS = 3
_S = FindingState


@dataclass(frozen=True)
class CheckState:
    """The check's stored state: the delta link and what it was made for, the lease, and how
    the last check went."""

    delta_link: str | None = None
    fingerprint: str | None = None
    lease_holder: str | None = None
    lease_until: datetime | None = None
    checked_at: datetime | None = None
    report: CheckReport | None = None
    failure: Literal["not_allowed", "unavailable"] | str | None = None
    failed_at: datetime | None = None


class LeaveDateStore(Protocol):
    """Where findings and the check's state are kept (storage.leave_dates.SqlLeaveDates)."""

    async def get(self, user_id: str) -> Finding | None: ...

    async def in_states(self, states: Iterable[FindingState]) -> list[Finding]: ...

    async def with_leave_date_from(self, first_day: date) -> list[Finding]: ...

    async def save(self, finding: Finding, previous: int | None) -> None:
        """Insert (previous None) or update at revision `previous`; StaleFinding if not."""
        ...

    async def delete_done(self, leave_date_before: date) -> int: ...

    async def state(self) -> CheckState: ...

    async def take_lease(self, holder: str, until: datetime) -> bool: ...

    async def release_lease(self, holder: str) -> None: ...

    async def finish(
        self, holder: str, delta_link: str, fingerprint: str, report: CheckReport
    ) -> bool: ...

    async def fail(self, failure: str) -> None: ...


class LeaveDateCheck:
    """The scheduled check (`run`) and HR's LeaveDateInbox, on one store."""

    def __init__(
        self,
        store: LeaveDateStore,
        source: LeaveDateSource,
        registration: RegistrationService,
        departures: DepartureRepository,
        groups: GroupMembership,
        audit: AuditLog,
        settings: Callable[[], LeaveDateSettings | None],
        clock: Clock,
        holder: str,
        *,
        time_zone: str = "Europe/Copenhagen",
        retention_months: Callable[[], int] = lambda: 12,
    ) -> None:
        self._store = store
        self._source = source
        self._registration = registration
        self._departures = departures
        self._groups = groups
        self._audit = audit
        self._settings = settings
        self._clock = clock
        self._holder = holder
        self._zone = ZoneInfo(time_zone)
        self._retention_months = retention_months
        self._lease_until: datetime | None = None

    # ------------------------------------------------------------------ the check

    async def run(self) -> CheckReport:
        """One check, if no other instance holds it (else CheckReport(skipped_check=True))."""
        settings = self._settings()
        if settings is None:
            return CheckReport()
        until = self._clock.now() + LEASE
        if not await self._store.take_lease(self._holder, until):
            return CheckReport(skipped_check=True)
        self._lease_until = until
        try:
            return await self._check(settings)
        except LeaveDatesNotAllowed:
            await self._store.fail("not_allowed")
            raise
        except DirectoryUnavailable:
            await self._store.fail("unavailable")
            raise
        finally:
            await self._store.release_lease(self._holder)

    async def _check(self, settings: LeaveDateSettings) -> CheckReport:
        report = CheckReport()
        today = self._today()
        fingerprint = settings_fingerprint(settings)
        state = await self._store.state()
        users: list[EntraUser] | None = None
        link = ""
        if state.delta_link and state.fingerprint == fingerprint:
            try:
                changes = await self._source.changes(state.delta_link)
                users, link = list(changes.users), changes.delta_link
            except ResyncNeeded:
                users = None
        if users is None:
            report.full_read = True
            users, link = await self._full_read(settings, today)
            report.read = sum(1 for user in users if user.leave_date is not None)
        else:
            report.read = len(users)
        incomplete: list[str] = []
        for user in users:
            stored = await self._store.get(user.id)
            if _incomplete(stored, user, settings):
                incomplete.append(user.id)
                continue
            await self._apply(user, settings, today, report, ACTOR)
            await self._renew()
        if incomplete:  # a partial delta entry for someone new: read them whole
            whole = {
                u.id: u for u in await self._source.with_leave_dates(today, settings.attributes)
            }
            for user_id in incomplete:
                user = whole.get(user_id, EntraUser(id=user_id, leave_date=None))
                await self._apply(user, settings, today, report, ACTOR)
        for finding in await self._store.in_states([_S.AHEAD]):
            await self._apply(unread(finding), settings, today, report, ACTOR)
        for finding in await self._store.in_states([_S.TO_CONFIRM, _S.NO_UNIT, _S.NOT_REGISTERED]):
            if finding.leave_date is not None and finding.leave_date < today:  # too late now
                await self._apply(unread(finding), settings, today, report, ACTOR)
        await self._store.delete_done(add_months(today, -self._retention_months()))
        if not await self._store.finish(self._holder, link, fingerprint, report):
            log.warning("leave-date check: lease lost before saving the delta link")
        return report

    async def _full_read(
        self, settings: LeaveDateSettings, today: date
    ) -> tuple[list[EntraUser], str]:
        """Every user with a leave date from today, and a link made before reading them; a
        stored leave date the read no longer shows counts as cleared."""
        link = await self._source.start_delta(settings.attributes)
        users = list(await self._source.with_leave_dates(today, settings.attributes))
        shown = {user.id for user in users}
        for finding in await self._store.with_leave_date_from(today):
            if finding.user_id not in shown:
                users.append(cleared(finding))
        return users, link

    async def _renew(self) -> None:
        now = self._clock.now()
        if self._lease_until is not None and now > self._lease_until - LEASE / 2:
            self._lease_until = now + LEASE
            await self._store.take_lease(self._holder, self._lease_until)

    async def _apply(
        self,
        user: EntraUser,
        settings: LeaveDateSettings,
        today: date,
        report: CheckReport,
        actor: str,
    ) -> None:
        """Decide one user and act; again from the top when HR changed the finding meanwhile."""
        for attempt in range(SAVE_ATTEMPTS):
            stored = await self._store.get(user.id)
            seen = merged(stored, user)
            if stored is None and seen.leave_date is None:
                return  # no leave date, and none before: nothing to look up or keep
            active = await self._active(seen.upn)
            in_group = None
            if group_matters(stored, seen, settings) and settings.group_id and seen.upn:
                in_group = await self._groups.is_member(seen.upn, settings.group_id)
            decision = decide(
                stored,
                seen,
                settings,
                today=today,
                now=self._clock.now(),
                in_group=in_group,
                active=active,
            )
            if decision.finding is None:
                return
            counts: list[str] = []
            finding = await self._act(decision, stored, actor, counts)
            try:
                await self._store.save(finding, None if stored is None else stored.revision)
            except StaleFinding:
                if attempt == SAVE_ATTEMPTS - 1:
                    raise
                continue
            for name in counts:
                setattr(report, name, getattr(report, name) + 1)
            return

    async def _act(
        self, decision: Decision, stored: Finding | None, actor: str, counts: list[str]
    ) -> Finding:
        """Do the decision's act; the finding as it is after it (its revision checked)."""
        finding = decision.finding
        assert finding is not None
        if decision.count:
            counts.append(decision.count)
        if decision.action is Action.REGISTER:
            finding = await self._register(finding, actor, counts)
        elif decision.action is Action.LINK:
            await self._linked(finding, actor, counts)
        elif decision.action is Action.CANCEL and finding.departure_id:
            outcome = await self._registration.cancel(finding.departure_id, actor, door=DOOR)
            if outcome.kind is OutcomeKind.UPDATED:
                counts.append("cancelled")
        return with_revision(stored, finding)

    async def _register(self, finding: Finding, actor: str, counts: list[str]) -> Finding:
        """Move the finding's running departure to the leave date, or register one."""
        assert finding.leave_date is not None
        running = await self._running(finding.departure_id)
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
            await self._linked(linked, actor, counts)
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

    async def _linked(self, finding: Finding, actor: str, counts: list[str]) -> None:
        counts.append("linked")
        await self._record(actor, AUDIT_LINKED, finding)

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

    async def _running(self, departure_id: str | None) -> Departure | None:
        if departure_id is None:
            return None
        try:
            departure = await self._departures.get(departure_id)
        except NotFound:
            return None
        return departure if is_active(departure) else None

    async def _active(self, upn: str) -> Departure | None:
        """The person's departure that is neither closed nor cancelled, if any."""
        if not upn:
            return None
        for departure in await self._departures.list_for_person(upn):
            if departure.leaver_upn == upn and is_active(departure):
                return departure
        return None

    async def _record(self, actor: str, action: str, finding: Finding) -> None:
        """An audit row of the check's or HR's own: the door and the Entra object id."""
        entry = AuditEntry(
            at=self._clock.now(),
            actor=actor,
            action=action,
            departure_id=finding.departure_id,
            detail={"door": DOOR.value, "entra_user": finding.user_id},
        )
        await self._audit.record(entry)

    def _today(self) -> date:
        return self._clock.now().astimezone(self._zone).date()

    # ------------------------------------------------------------------ HR's inbox

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
        finding = with_revision(stored, await self._register(draft, actor, counts))
        await self._store.save(finding, stored.revision)
        return finding

    async def dismiss(self, actor: str, user_id: str, revision: int) -> Finding:
        """HR says no: nothing is registered; a later new leave date asks again."""
        stored = await self._current(user_id, revision)
        if stored.state not in {_S.TO_CONFIRM, _S.NO_UNIT, _S.NOT_REGISTERED}:
            raise StaleFinding(user_id)
        finding = await self._hr_saves(stored, _S.DISMISSED)
        await self._record(actor, AUDIT_DISMISSED, stored)
        return finding

    async def cancel_departure(self, actor: str, user_id: str, revision: int) -> Finding:
        """TO_CANCEL: the leave date was cleared, so cancel the departure."""
        stored = await self._current(user_id, revision)
        if stored.state is not _S.TO_CANCEL:
            raise StaleFinding(user_id)
        if stored.departure_id:
            await self._registration.cancel(stored.departure_id, actor, door=DOOR)
        return await self._hr_saves(stored, _S.GONE)

    async def keep_departure(self, actor: str, user_id: str, revision: int) -> Finding:
        """TO_CANCEL: the departure stands although Entra has no leave date now."""
        stored = await self._current(user_id, revision)
        if stored.state is not _S.TO_CANCEL:
            raise StaleFinding(user_id)
        finding = await self._hr_saves(stored, _S.REGISTERED)
        await self._record(actor, AUDIT_KEPT, stored)
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


def settings_fingerprint(settings: LeaveDateSettings) -> str:
    """What a delta link and the findings were read for: the attributes selected and who
    counts. A change reads everything again."""
    basis = {
        "attributes": list(settings.attributes),
        "where": dict(sorted(settings.where.items())),
        "group_id": settings.group_id,
        "unit_attribute": settings.unit_attribute,
        "units_by_value": dict(sorted(settings.units_by_value.items())),
        "units": sorted(settings.units),
        "look_ahead_days": settings.look_ahead_days,
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()


def _incomplete(stored: Finding | None, user: EntraUser, settings: LeaveDateSettings) -> bool:
    """A delta entry with a leave date for someone not yet known, lacking their UPN or the
    attributes the rules read: a partial entry, to be read whole."""
    if stored is not None or user.removed or user.leave_date is None:
        return False
    return not user.upn or any(name not in user.attributes for name in settings.attributes)


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
