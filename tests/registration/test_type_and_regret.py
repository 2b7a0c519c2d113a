"""The type of departure, the regret and the boomerang through RegistrationService, on SQLite
and PostgreSQL."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from journey.access import Asker
from journey.departure import DepartureStatus, DepartureType
from journey.refusals import NotAllowed, Reason
from journey.registration_rules import ALREADY_REGISTERED, NOT_ACTIVE, OutcomeKind, Problem
from tests.registration.helpers import HR, Setup, request

MANAGER = "manager@contoso.example"
LEAVER = "leaver@contoso.example"


@pytest.mark.parametrize("kind", list(DepartureType))
async def test_each_type_is_stored(setup: Setup, kind: DepartureType) -> None:
    outcome = await setup.service.register(request(departure_type=kind.value), HR, door="api")
    assert outcome.kind is OutcomeKind.CREATED
    assert (await setup.repository.get(outcome.departure.id)).departure_type is kind


async def test_without_a_type_a_new_departure_is_a_resignation_and_a_repeat_keeps_the_type(
    setup: Setup,
) -> None:
    first = await setup.service.register(
        request(external_id="HR-9", departure_type="retirement"), HR, door="csv"
    )
    again = await setup.service.register(request(external_id="HR-9"), HR, door="csv")
    assert again.kind is OutcomeKind.UNCHANGED
    assert (
        await setup.repository.get(first.departure.id)
    ).departure_type is DepartureType.RETIREMENT
    changed = await setup.service.register(
        request(external_id="HR-9", departure_type="dismissal"), HR, door="csv"
    )
    assert changed.kind is OutcomeKind.UPDATED
    assert changed.departure.departure_type is DepartureType.DISMISSAL
    plain = await setup.service.register(
        request(leaver="leaver.se@contoso.example"), HR, door="api"
    )
    assert plain.departure.departure_type is DepartureType.RESIGNATION


def test_an_unknown_type_is_refused_before_anything_is_looked_up() -> None:
    with pytest.raises(ValidationError) as caught:
        request(departure_type="fired")
    assert caught.value.errors()[0]["loc"] == ("departure_type",)


async def test_hr_changes_the_type_and_the_regret_and_it_is_audited(setup: Setup) -> None:
    created = (await setup.service.register(request(), HR, door="teams")).departure
    outcome = await setup.service.change_details(
        created.id,
        {"departure_type": DepartureType.FIXED_TERM_END, "regrettable": True},
        HR,
        door="api",
    )
    assert outcome.kind is OutcomeKind.UPDATED
    stored = await setup.repository.get(created.id)
    assert (stored.departure_type, stored.regrettable) == (DepartureType.FIXED_TERM_END, True)
    assert "departure.details_changed" in await setup.audit_actions(created.id)
    same = await setup.service.change_details(created.id, {"regrettable": True}, HR, door="api")
    assert same.kind is OutcomeKind.UNCHANGED


async def test_nothing_changes_on_a_closed_departure(setup: Setup) -> None:
    created = (await setup.service.register(request(), HR, door="teams")).departure
    closed = await setup.repository.update(created.moved_to(DepartureStatus.CLOSED))
    outcome = await setup.service.change_details(
        created.id, {"departure_type": DepartureType.OTHER}, HR, door="teams"
    )
    assert outcome.problems == (Problem(field="", code=NOT_ACTIVE),)
    assert await setup.repository.get(created.id) == closed


def _asker(upn: str, *, hr: bool = False) -> Asker:
    return Asker(user_id=f"29:{upn}", upn=upn, is_hr=hr)


async def test_the_manager_and_hr_may_mark_the_regret(setup: Setup) -> None:
    created = (await setup.service.register(request(), HR, door="teams")).departure
    by_manager = await setup.service.mark_regret(_asker(MANAGER), created.id, True)
    assert by_manager.departure.regrettable is True
    by_hr = await setup.service.mark_regret(_asker(HR, hr=True), created.id, None)
    assert by_hr.departure.regrettable is None
    assert (await setup.audit_actions(created.id)).count("departure.regret_set") == 2


@pytest.mark.parametrize(
    "asker",
    [
        _asker(LEAVER),
        _asker(LEAVER, hr=True),  # an HR member who leaves does not judge their own departure
        _asker("union.rep@contoso.example"),
    ],
    ids=["leaver", "leaver-in-hr", "someone-else"],
)
async def test_anyone_else_is_refused_the_regret_and_it_is_audited(
    setup: Setup, asker: Asker
) -> None:
    created = (await setup.service.register(request(), HR, door="teams")).departure
    with pytest.raises(NotAllowed) as refused:
        await setup.service.mark_regret(asker, created.id, True)
    stored = await setup.repository.get(created.id)
    assert (stored.regrettable, stored.version) == (None, created.version)
    # dialogs.router writes it to the audit log, once (tests/registration/test_regret_live.py).
    assert (refused.value.action, refused.value.departure_id) == ("refused", created.id)
    assert refused.value.reason is Reason.NOT_MANAGER_OR_HR


async def test_a_person_who_left_can_come_back_once_the_earlier_departure_is_closed(
    setup: Setup,
) -> None:
    first = (await setup.service.register(request(), HR, door="teams")).departure
    while_open = await setup.service.register(request(), HR, door="teams")
    assert while_open.problems == (Problem(field="leaver", code=ALREADY_REGISTERED),)

    await setup.repository.update(first.moved_to(DepartureStatus.CLOSED))
    boomerang = await setup.service.register(
        request(departure_type="fixed_term_end"), HR, door="api"
    )
    assert boomerang.kind is OutcomeKind.CREATED
    assert boomerang.departure.id != first.id
    again_open = await setup.service.register(request(), HR, door="csv")
    assert again_open.problems == (Problem(field="leaver", code=ALREADY_REGISTERED),)
    assert await setup.count_departures() == 2
