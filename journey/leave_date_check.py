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

The same object is HR's LeaveDateInbox (journey.leave_date_inbox.HrLeaveDates); both act on
departures through journey.leave_date_acts and keep findings through journey.leave_date_store.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from journey.clock import Clock
from journey.leave_date_acts import LeaveDateActs
from journey.leave_date_inbox import HrLeaveDates
from journey.leave_date_rules import (
    Action,
    Decision,
    cleared,
    decide,
    group_matters,
    merged,
    unread,
    with_revision,
)
from journey.leave_date_store import LeaveDateStore
from journey.leave_dates import (
    CheckReport,
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
from journey.ports import AuditLog, DepartureRepository
from journey.registration import RegistrationService
from journey.registration_rules import (
    OutcomeKind,
)

log = logging.getLogger(__name__)

ACTOR = "exitbot:entra"  # the check's own acts in the audit log
# How long one check holds the lease; renewed while it runs, so a crashed instance's lease
# runs out and another takes over.
LEASE = timedelta(minutes=10)
SAVE_ATTEMPTS = 3
_S = FindingState


class LeaveDateCheck(HrLeaveDates):
    """The scheduled check (`run`); HR's LeaveDateInbox too (journey.leave_date_inbox), on
    the same store."""

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
        super().__init__(store, LeaveDateActs(registration, departures, audit, clock), clock)
        self._source = source
        self._groups = groups
        self._settings = settings
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
        try:
            # Taken inside the try: a service stopped just after the lease was stored still
            # lets it go (release_lease touches only this instance's own lease).
            if not await self._store.take_lease(self._holder, until):
                return CheckReport(skipped_check=True)
            self._lease_until = until
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
            active = await self._acts.active(seen.upn)
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
            finding = await self._acts.register(finding, actor, counts)
        elif decision.action is Action.LINK:
            await self._acts.linked(finding, actor, counts)
        elif decision.action is Action.CANCEL and finding.departure_id:
            outcome = await self._acts.cancel(finding.departure_id, actor)
            if outcome.kind is OutcomeKind.UPDATED:
                counts.append("cancelled")
        return with_revision(stored, finding)

    def _today(self) -> date:
        return self._clock.now().astimezone(self._zone).date()


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
