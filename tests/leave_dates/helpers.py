"""An in-memory Entra (the LeaveDateSource port, with delta links), a directory, and the rig:
the check on a real database with the one RegistrationService behind every door."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select

from config.loader import LoadedConfig
from journey.clock import FixedClock
from journey.departure import Departure
from journey.leave_date_check import LeaveDateCheck
from journey.leave_dates import Changes, EntraUser, LeaveDateSettings, ResyncNeeded
from journey.people import Person
from journey.registration import RegistrationService
from storage.database import Database
from storage.leave_dates import SqlLeaveDates
from storage.repositories import SqlAuditLog, SqlDepartureRepository
from storage.tables import departures
from tests.registration.helpers import RecordingEvents

# Monday 2 March 2026, 09:00 in Copenhagen.
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SOON = date(2026, 4, 10)  # within the 60 days looked ahead
HR = "hr@contoso.example"
BOSS = "boss@contoso.example"
GROUP = "group-leavers"
SETTINGS = LeaveDateSettings(
    units_by_value={"Social og Sundhed": "social-care", "Hjemmepleje": "home-care"}
    | {"Teknik": "technical-services"},
    # The organisation ("") takes departures from Entra, and so do these two units.
    units=frozenset({"", "social-care", "home-care"}),
)


def user(n: int, leave: date | None = SOON, **changes: Any) -> EntraUser:
    """User number `n` in social care, Danish, leaving on `leave`."""
    values: dict[str, Any] = {
        "id": f"00000000-0000-0000-0000-{n:012d}",
        "upn": f"user{n}@contoso.example",
        "display_name": f"User {n}",
        "preferred_language": "da-DK",
        "leave_date": leave,
        "attributes": {"department": "Social og Sundhed", "companyName": "Contoso"},
    }
    values.update(changes)
    return EntraUser(**values)


@dataclass
class FakeEntra:
    """Entra ID as the check sees it: users, `$filter` on the leave date, and delta links that
    name the change count they were made at."""

    users: dict[str, EntraUser] = field(default_factory=dict)
    log: list[tuple[int, str]] = field(default_factory=list)  # (change number, user id)
    expired: set[str] = field(default_factory=set)
    fail_with: BaseException | None = None
    partial: bool = False  # delta entries carry only the id and the leave date
    calls: list[str] = field(default_factory=list)

    def put(self, *users: EntraUser) -> None:
        for one in users:
            self.users[one.id] = one
            self.log.append((len(self.log) + 1, one.id))

    def set_leave(self, n: int, leave: date | None) -> None:
        current = self.users[user(n).id]
        self.put(current.model_copy(update={"leave_date": leave}))

    def remove(self, n: int) -> None:
        removed = EntraUser(id=user(n).id, removed=True)
        self.users.pop(removed.id, None)
        self.log.append((len(self.log) + 1, removed.id))

    def _raise(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with

    async def start_delta(self, attributes: tuple[str, ...]) -> str:
        self.calls.append("start_delta")
        self._raise()
        return f"delta:{len(self.log)}"

    async def with_leave_dates(
        self, first_day: date, attributes: tuple[str, ...]
    ) -> list[EntraUser]:
        self.calls.append("with_leave_dates")
        self._raise()
        return [
            u for u in self.users.values() if u.leave_date is not None and u.leave_date >= first_day
        ]

    async def changes(self, delta_link: str) -> Changes:
        self.calls.append("changes")
        self._raise()
        if delta_link in self.expired:
            raise ResyncNeeded()
        since = int(delta_link.removeprefix("delta:"))
        changed = list(dict.fromkeys(uid for number, uid in self.log if number > since))
        entries = [self._entry(uid) for uid in changed]
        return Changes(users=entries, delta_link=f"delta:{len(self.log)}")

    def _entry(self, uid: str) -> EntraUser:
        current = self.users.get(uid)
        if current is None:
            return EntraUser(id=uid, removed=True)
        if self.partial:
            return EntraUser(id=uid, leave_date=current.leave_date)
        return current


@dataclass
class FakeDirectory:
    """Every user is known; their manager is the boss, unless listed as without one."""

    without_manager: set[str] = field(default_factory=set)
    members: set[str] = field(default_factory=set)  # UPNs in GROUP
    group_asks: int = 0

    async def find_person(self, email_or_upn: str) -> Person | None:
        upn = email_or_upn.strip().lower()
        return Person(id=f"id-{upn}", upn=upn, display_name=upn.split("@")[0])

    async def manager_of(self, upn: str) -> Person | None:
        if upn in self.without_manager or upn == BOSS:
            return None
        return Person(id="id-boss", upn=BOSS, display_name="Boss")

    async def is_member(self, person: str, group_id: str) -> bool:
        self.group_asks += 1
        return group_id == GROUP and person in self.members


@dataclass
class Rig:
    db: Database
    entra: FakeEntra
    directory: FakeDirectory
    clock: FixedClock
    store: SqlLeaveDates
    departures: SqlDepartureRepository
    audit: SqlAuditLog
    service: RegistrationService
    check: LeaveDateCheck
    settings: list[LeaveDateSettings]

    def use(self, settings: LeaveDateSettings) -> None:
        self.settings[0] = settings

    async def departure_of(self, n: int) -> Departure | None:
        found = [d for d in await self.departures.list_for_person(user(n).upn)]
        active = [d for d in found if d.status.value not in ("cancelled", "closed")]
        return active[0] if active else None

    async def all_for(self, n: int) -> list[Departure]:
        upn = user(n).upn
        return [d for d in await self.departures.list_for_person(upn) if d.leaver_upn == upn]

    async def count(self) -> int:
        async with self.db.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(departures)) or 0)

    async def actions(self, departure_id: str) -> list[tuple[str, str, str]]:
        entries = await self.audit.for_departure(departure_id)
        return [(e.action, e.actor, e.detail.get("door", "")) for e in entries]


def build_rig(
    db: Database,
    config: LoadedConfig,
    *,
    entra: FakeEntra | None = None,
    settings: LeaveDateSettings = SETTINGS,
    holder: str = "instance-a",
    clock: FixedClock | None = None,
    directory: FakeDirectory | None = None,
    store_wrapper: Callable[[SqlLeaveDates], Any] | None = None,
) -> Rig:
    clock = clock or FixedClock(NOW)
    entra = entra or FakeEntra()
    directory = directory or FakeDirectory()
    store = SqlLeaveDates(db, clock)
    repository = SqlDepartureRepository(db, clock)
    audit = SqlAuditLog(db)
    service = RegistrationService(
        repository, directory, lambda: config, clock, audit, RecordingEvents()
    )
    chosen = [settings]
    check = LeaveDateCheck(
        store_wrapper(store) if store_wrapper else store,
        entra,
        service,
        repository,
        directory,
        audit,
        lambda: chosen[0],
        clock,
        holder,
    )
    return Rig(db, entra, directory, clock, store, repository, audit, service, check, chosen)


def ids(users: Iterable[EntraUser]) -> list[str]:
    return [u.id for u in users]
