"""Registering a departure on in-memory doubles: validation, idempotency, events, audit."""

from __future__ import annotations

from datetime import date

from journey.departure import DepartureStatus
from journey.registration_rules import (
    LAST_DAY_IN_PAST,
    NOT_ACTIVE,
    UNKNOWN_PERSON,
    OutcomeKind,
    Problem,
    RegistrationRequest,
)
from tests.domain.world import World

REQUEST = RegistrationRequest(
    leaver="sofie@contoso.example", last_working_day=date(2026, 12, 18), external_id="hr-1"
)


async def test_a_registration_is_stored_once_and_handed_on(world: World) -> None:
    first = await world.registration.register(REQUEST, "hanne", door="api")
    again = await world.registration.register(REQUEST, "hanne", door="api")
    assert first.kind is OutcomeKind.CREATED
    assert again.kind is OutcomeKind.UNCHANGED
    assert first.departure is not None
    assert first.departure.manager_upn == "mads@contoso.example"  # from the directory
    assert world.events.heard == [("registered", first.departure.id)]
    assert world.audit.actions() == ["departure.registered"]


async def test_a_dry_run_writes_nothing(world: World) -> None:
    outcome = await world.registration.register(REQUEST, "hanne", door="csv", dry_run=True)
    assert outcome.kind is OutcomeKind.CREATED
    assert await world.departures.list_open() == []
    assert world.events.heard == [] and world.audit.entries == []


async def test_unknown_people_and_past_days_are_refused(world: World) -> None:
    stranger = REQUEST.model_copy(update={"leaver": "nobody@contoso.example"})
    outcome = await world.registration.register(stranger, "hanne", door="api")
    assert outcome.problems == (Problem(field="leaver", code=UNKNOWN_PERSON),)
    past = REQUEST.model_copy(update={"last_working_day": date(2026, 11, 1)})
    outcome = await world.registration.register(past, "hanne", door="api")
    assert outcome.problems == (Problem(field="last_working_day", code=LAST_DAY_IN_PAST),)


async def test_the_last_day_moves_and_a_cancelled_departure_stays_cancelled(
    world: World,
) -> None:
    created = await world.registration.register(REQUEST, "hanne", door="api")
    assert created.departure is not None
    departure_id = created.departure.id
    moved = await world.registration.change_last_day(
        departure_id, date(2026, 12, 23), "hanne", door="api"
    )
    assert moved.kind is OutcomeKind.UPDATED
    assert moved.departure is not None and moved.departure.last_working_day == date(2026, 12, 23)
    cancelled = await world.registration.cancel(departure_id, "hanne", door="api")
    assert cancelled.departure is not None
    assert cancelled.departure.status is DepartureStatus.CANCELLED
    again = await world.registration.cancel(departure_id, "hanne", door="api")
    assert again.kind is OutcomeKind.UNCHANGED
    late = await world.registration.change_last_day(
        departure_id, date(2026, 12, 30), "hanne", door="api"
    )
    assert late.problems == (Problem(field="", code=NOT_ACTIVE),)
    assert [kind for kind, _ in world.events.heard] == ["registered", "changed", "cancelled"]
