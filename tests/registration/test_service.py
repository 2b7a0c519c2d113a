"""RegistrationService: the rules every door shares, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from journey.departure import Departure, DepartureStatus
from journey.locale import language_of
from journey.people import DirectoryUnavailable
from journey.registration import RegistrationService
from journey.registration_rules import (
    ALREADY_REGISTERED,
    CHANGED_MEANWHILE,
    EXTERNAL_ID_TAKEN,
    LAST_DAY_IN_PAST,
    LEAVER_IN_POOL,
    MANAGER_IS_LEAVER,
    NO_MANAGER,
    NOT_ACTIVE,
    UNKNOWN_PERSON,
    UNKNOWN_UNIT,
    OutcomeKind,
    Problem,
    RegistrationRequest,
)
from people.local_directory import LocalDirectory
from people.people_file import PeopleFile, PersonEntry, load_people_file
from tests.registration.helpers import DEMO_PEOPLE, HR, LAST_DAY, NOW, Setup, request


async def test_a_registration_is_stored_with_the_directorys_manager_language_and_zone(
    setup: Setup,
) -> None:
    outcome = await setup.service.register(request(), HR, door="teams")

    assert outcome.kind is OutcomeKind.CREATED
    stored = await setup.repository.get(outcome.departure.id)
    assert stored.leaver_upn == "leaver@contoso.example"
    assert stored.leaver_name == "Sofie Andersen"
    assert stored.manager_upn == "manager@contoso.example"  # looked up: none was given
    assert stored.locale == "da"  # her da-DK in the directory
    assert stored.time_zone == "Europe/Copenhagen"
    assert stored.status is DepartureStatus.REGISTERED
    assert setup.events.names == ["registered"]
    [entry] = await setup.audit.for_departure(stored.id)
    assert (entry.actor, entry.action, entry.detail) == (
        HR,
        "departure.registered",
        {"door": "teams"},
    )


@pytest.mark.parametrize(
    ("given", "stored"), [("sv-SE", "sv"), ("nn-NO", "nb"), ("no", "nb"), ("fr-FR", "en")]
)
async def test_a_given_locale_is_normalized_to_a_supported_language(
    setup: Setup, given: str, stored: str
) -> None:
    outcome = await setup.service.register(request(locale=given), HR, door="api")
    assert outcome.departure.locale == stored


async def test_without_a_language_anywhere_none_is_registered_and_the_units_zone_is_used(
    make_setup: Callable[..., Setup],
) -> None:
    people = PeopleFile(
        people=[
            PersonEntry(upn="boss@example.org", name="Boss", id="b"),
            PersonEntry(upn="quiet@example.org", name="Quiet", id="q", manager="boss@example.org"),
        ]
    )
    setup = make_setup(directory=LocalDirectory(people, now=NOW))
    outcome = await setup.service.register(request(leaver="quiet@example.org"), HR, door="csv")
    # None registered: the leaver's Teams locale decides, else English (journey.locale).
    assert outcome.departure.locale == ""
    assert language_of(outcome.departure.locale) == "en"
    assert outcome.departure.manager_upn == "boss@example.org"


async def test_a_given_manager_and_time_zone_win_over_the_directory(setup: Setup) -> None:
    outcome = await setup.service.register(
        request(manager="HRPartner@Contoso.example", time_zone="Europe/Oslo"), HR, door="api"
    )
    assert outcome.departure.manager_upn == "hrpartner@contoso.example"
    assert outcome.departure.time_zone == "Europe/Oslo"


async def test_an_address_in_capitals_finds_the_person_and_their_defaults(setup: Setup) -> None:
    outcome = await setup.service.register(
        request(leaver="LEAVER.se@contoso.example"), HR, door="api"
    )
    assert outcome.departure.leaver_upn == "leaver.se@contoso.example"
    assert outcome.departure.locale == "sv"
    assert outcome.departure.time_zone == "Europe/Stockholm"


def _bad(name: str, field: str, code: str, **changes: Any) -> tuple[str, dict[str, Any], Problem]:
    return name, changes, Problem(field=field, code=code)


BAD_REQUESTS = [
    _bad("unknown leaver", "leaver", UNKNOWN_PERSON, leaver="nobody@contoso.example"),
    _bad("unknown manager", "manager", UNKNOWN_PERSON, manager="ghost@contoso.example"),
    _bad("manager is leaver", "manager", MANAGER_IS_LEAVER, manager="leaver@contoso.example"),
    _bad("unknown unit", "unit", UNKNOWN_UNIT, unit="marketing"),
    _bad(
        "day in the past", "last_working_day", LAST_DAY_IN_PAST, last_working_day=date(2026, 3, 1)
    ),
    _bad("no manager anywhere", "manager", NO_MANAGER, leaver="hr@contoso.example"),
    _bad(
        "leaver in pool",
        "interviewer_pool",
        LEAVER_IN_POOL,
        interviewer_pool=["leaver@contoso.example"],
    ),
    _bad(
        "unknown in pool",
        "interviewer_pool",
        UNKNOWN_PERSON,
        interviewer_pool=["x@contoso.example"],
    ),
]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [(changes, problem) for _, changes, problem in BAD_REQUESTS],
    ids=[name for name, _, _ in BAD_REQUESTS],
)
async def test_a_bad_request_is_rejected_with_its_reason_and_stores_nothing(
    setup: Setup, changes: dict[str, Any], problem: Problem
) -> None:
    outcome = await setup.service.register(request(**changes), HR, door="api")
    assert outcome.kind is OutcomeKind.REJECTED
    assert problem in outcome.problems
    assert outcome.departure is None
    assert await setup.count_departures() == 0
    assert await setup.count_audit() == 0
    assert setup.events.calls == []


async def test_every_problem_is_reported_at_once(setup: Setup) -> None:
    outcome = await setup.service.register(
        request(leaver="nobody@contoso.example", manager="ghost@contoso.example", unit="x"),
        HR,
        door="api",
    )
    assert {p.field for p in outcome.problems} == {"leaver", "manager", "unit"}


async def test_the_past_is_judged_in_the_units_zone_not_in_utc(
    make_setup: Callable[..., Setup],
) -> None:
    # 23:30 UTC on 1 March is already 00:30 on 2 March in Copenhagen: 1 March is over there.
    setup = make_setup(now=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    past = await setup.service.register(request(last_working_day=date(2026, 3, 1)), HR, door="api")
    assert past.problems == (Problem(field="last_working_day", code=LAST_DAY_IN_PAST),)
    today = await setup.service.register(request(last_working_day=date(2026, 3, 2)), HR, door="api")
    assert today.kind is OutcomeKind.CREATED


async def test_a_second_registration_for_the_same_leaver_is_refused(setup: Setup) -> None:
    first = await setup.service.register(request(), HR, door="teams")
    second = await setup.service.register(
        request(last_working_day=LAST_DAY + timedelta(days=7), external_id="HR-2"),
        HR,
        door="api",
    )
    assert second.problems == (Problem(field="leaver", code=ALREADY_REGISTERED),)
    assert await setup.count_departures() == 1
    assert (await setup.repository.get(first.departure.id)).last_working_day == LAST_DAY


async def test_after_a_cancellation_the_leaver_can_be_registered_again(setup: Setup) -> None:
    first = await setup.service.register(request(), HR, door="teams")
    await setup.service.cancel(first.departure.id, HR, door="teams")
    again = await setup.service.register(request(), HR, door="teams")
    assert again.kind is OutcomeKind.CREATED
    assert again.departure.id != first.departure.id


async def test_the_same_external_id_and_data_again_changes_nothing(setup: Setup) -> None:
    first = await setup.service.register(request(external_id="HR-1"), HR, door="api")
    audit_before = await setup.count_audit()
    again = await setup.service.register(request(external_id="HR-1"), HR, door="api")

    assert again.kind is OutcomeKind.UNCHANGED
    assert again.departure == first.departure
    assert await setup.count_departures() == 1
    assert await setup.count_audit() == audit_before
    assert setup.events.names == ["registered"]


async def test_the_same_external_id_with_a_new_last_day_updates_and_tells_the_journey(
    setup: Setup,
) -> None:
    first = await setup.service.register(request(external_id="HR-1"), HR, door="csv")
    moved = LAST_DAY + timedelta(days=14)
    again = await setup.service.register(
        request(external_id="HR-1", last_working_day=moved), "api:client", door="api"
    )

    assert again.kind is OutcomeKind.UPDATED
    stored = await setup.repository.get(first.departure.id)
    assert stored.last_working_day == moved
    assert stored.version == first.departure.version + 1
    assert setup.events.calls[-1] == ("changed", (first.departure.id, first.departure.id))
    entries = await setup.audit.for_departure(first.departure.id)
    assert (entries[-1].actor, entries[-1].action) == ("api:client", "departure.updated")
    assert entries[-1].detail == {"door": "api", "fields": "last_working_day"}


async def test_an_external_id_of_another_leaver_is_refused(setup: Setup) -> None:
    await setup.service.register(request(external_id="HR-1"), HR, door="api")
    other = await setup.service.register(
        request(leaver="leaver.no@contoso.example", external_id="HR-1"), HR, door="api"
    )
    assert other.problems == (Problem(field="external_id", code=EXTERNAL_ID_TAKEN),)
    assert await setup.count_departures() == 1


async def test_a_resent_registration_is_unchanged_even_after_the_last_day(
    make_setup: Callable[..., Setup], setup: Setup
) -> None:
    # HR's system may send the same record again long after; that is not an error.
    await setup.service.register(request(external_id="HR-1"), HR, door="csv")
    later = make_setup(now=datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    again = await later.service.register(request(external_id="HR-1"), HR, door="csv")
    assert again.kind is OutcomeKind.UNCHANGED


async def test_a_dry_run_says_what_would_happen_and_writes_nothing(setup: Setup) -> None:
    would = await setup.service.register(request(external_id="HR-1"), HR, door="csv", dry_run=True)
    assert would.kind is OutcomeKind.CREATED
    assert await setup.count_departures() == 0
    await setup.service.register(request(external_id="HR-1"), HR, door="csv")
    moved = request(external_id="HR-1", last_working_day=LAST_DAY + timedelta(days=1))
    would_update = await setup.service.register(moved, HR, door="csv", dry_run=True)
    assert would_update.kind is OutcomeKind.UPDATED
    [stored] = await setup.repository.list_for_person("leaver@contoso.example")
    assert stored.last_working_day == LAST_DAY
    assert setup.events.names == ["registered"]


async def test_changing_the_last_day(setup: Setup) -> None:
    created = (await setup.service.register(request(), HR, door="teams")).departure
    moved = LAST_DAY + timedelta(days=3)
    outcome = await setup.service.change_last_day(created.id, moved, HR, door="teams")
    assert outcome.kind is OutcomeKind.UPDATED
    assert (await setup.repository.get(created.id)).last_working_day == moved
    assert setup.events.names == ["registered", "changed"]
    assert "departure.last_day_changed" in await setup.audit_actions(created.id)

    same = await setup.service.change_last_day(created.id, moved, HR, door="teams")
    assert same.kind is OutcomeKind.UNCHANGED
    past = await setup.service.change_last_day(created.id, date(2026, 3, 1), HR, door="teams")
    assert past.problems == (Problem(field="last_working_day", code=LAST_DAY_IN_PAST),)
    assert (await setup.repository.get(created.id)).last_working_day == moved


async def test_cancelling_a_departure_the_leaver_stays(setup: Setup) -> None:
    created = (await setup.service.register(request(), HR, door="teams")).departure
    outcome = await setup.service.cancel(created.id, HR, door="teams")
    assert outcome.kind is OutcomeKind.UPDATED
    assert (await setup.repository.get(created.id)).status is DepartureStatus.CANCELLED
    assert setup.events.names == ["registered", "cancelled"]

    again = await setup.service.cancel(created.id, HR, door="teams")
    assert again.kind is OutcomeKind.UNCHANGED
    change = await setup.service.change_last_day(created.id, LAST_DAY, HR, door="teams")
    assert change.problems == (Problem(field="", code=NOT_ACTIVE),)
    assert setup.events.names == ["registered", "cancelled"]
    assert await setup.audit_actions(created.id) == ["departure.registered", "departure.cancelled"]


async def test_a_held_conversation_can_no_longer_be_cancelled(setup: Setup) -> None:
    created = (await setup.service.register(request(), HR, door="teams")).departure
    held = created.model_copy(update={"status": DepartureStatus.HELD})
    await setup.repository.update(held)
    outcome = await setup.service.cancel(created.id, HR, door="teams")
    assert outcome.problems == (Problem(field="", code=NOT_ACTIVE),)


class _SomeoneElseWritesFirst:
    """The real repository, except that another writer changes the departure just before us."""

    def __init__(self, real: Any, times: int) -> None:
        self._real = real
        self._times = times

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def update(self, departure: Departure) -> Departure:
        if self._times > 0:
            self._times -= 1
            current = await self._real.get(departure.id)
            await self._real.update(current.model_copy(update={"locale": "en"}))
        return await self._real.update(departure)


async def test_a_concurrent_change_is_retried_once_after_rereading(
    make_setup: Callable[..., Setup], setup: Setup
) -> None:
    created = (await setup.service.register(request(), HR, door="teams")).departure
    racing = make_setup(repository=_SomeoneElseWritesFirst(setup.repository, times=1))
    moved = LAST_DAY + timedelta(days=1)
    outcome = await racing.service.change_last_day(created.id, moved, HR, door="teams")
    assert outcome.kind is OutcomeKind.UPDATED
    stored = await setup.repository.get(created.id)
    assert (stored.last_working_day, stored.locale, stored.version) == (moved, "en", 2)


async def test_a_change_that_keeps_losing_the_race_is_reported(
    make_setup: Callable[..., Setup], setup: Setup
) -> None:
    created = (await setup.service.register(request(), HR, door="teams")).departure
    racing = make_setup(repository=_SomeoneElseWritesFirst(setup.repository, times=2))
    outcome = await racing.service.cancel(created.id, HR, door="teams")
    assert outcome.problems == (Problem(field="", code=CHANGED_MEANWHILE),)
    assert (await setup.repository.get(created.id)).status is DepartureStatus.REGISTERED


async def test_a_failing_journey_leaves_the_departure_registered_and_says_so(
    setup: Setup,
) -> None:
    setup.events.fail = True
    outcome = await setup.service.register(request(), HR, door="api")
    assert outcome.kind is OutcomeKind.CREATED
    assert await setup.count_departures() == 1
    assert await setup.audit_actions(outcome.departure.id) == [
        "departure.registered",
        "journey.event_failed",
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"last_working_day": "30-04-2026"},
        {"last_working_day": 1777500000},
        {"leaver": "not an address"},
        {"time_zone": "Mars/Olympus"},
        {"locale": "da DK"},
        {"colour": "blue"},
    ],
)
def test_a_request_that_does_not_parse_is_refused_before_the_service(
    changes: dict[str, Any],
) -> None:
    values = {"leaver": "a@b.example", "last_working_day": "2026-04-30", **changes}
    with pytest.raises(ValidationError):
        RegistrationRequest.model_validate(values)


class _NoZones(LocalDirectory):
    """A directory that, like Graph's user resource, does not say people's time zones."""

    async def find_person(self, email_or_upn: str):  # type: ignore[no-untyped-def]
        person = await super().find_person(email_or_upn)
        return None if person is None else person.model_copy(update={"time_zone": None})


class _Mailboxes:
    def __init__(self, zone: str | None, fail: bool = False) -> None:
        self.zone, self.fail, self.asked = zone, fail, []

    async def time_zone_of(self, person_id: str) -> str | None:
        self.asked.append(person_id)
        if self.fail:
            raise DirectoryUnavailable("Graph is down")
        return self.zone


def _service_with(setup: Setup, zones: _Mailboxes) -> RegistrationService:

    return RegistrationService(
        setup.repository,
        _NoZones(load_people_file(DEMO_PEOPLE), now=NOW),
        lambda: setup.config,
        setup.clock,
        setup.audit,
        setup.events,
        zones=zones,
    )


async def test_the_leavers_own_time_zone_comes_from_their_mailbox(setup: Setup) -> None:
    zones = _Mailboxes("Europe/Stockholm")
    outcome = await _service_with(setup, zones).register(request(), HR, door="api")
    assert outcome.departure is not None
    assert outcome.departure.time_zone == "Europe/Stockholm"
    assert len(zones.asked) == 1


async def test_without_a_mailbox_zone_the_units_zone_is_used(setup: Setup) -> None:
    unit_zone = setup.config.unit("social-care").calendar.time_zone
    for zones in (_Mailboxes(None), _Mailboxes("Europe/Stockholm", fail=True)):
        outcome = await _service_with(setup, zones).register(
            request(external_id=f"HR-{id(zones)}"), HR, door="api"
        )
        assert outcome.departure is not None, outcome.problems
        assert outcome.departure.time_zone == unit_zone
        await setup.service.cancel(outcome.departure.id, HR, door="api")
