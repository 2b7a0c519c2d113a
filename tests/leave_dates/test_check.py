"""The leave-date check end to end on a real database: what HR and the leaver would notice."""

from __future__ import annotations

from datetime import date

import pytest

from journey.departure import DepartureStatus
from journey.leave_date_rules import AUDIT_LINKED
from journey.leave_dates import FindingState, LeaveDatesNotAllowed, StaleFinding
from journey.people import DirectoryUnavailable
from journey.registration_rules import NO_MANAGER, RegistrationRequest
from tests.leave_dates.helpers import BOSS, HR, SETTINGS, SOON, Rig, user

AUTO = SETTINGS.model_copy(update={"mode": "auto"})
LATER = date(2026, 4, 20)


async def test_auto_registers_a_new_leave_date_once_with_entras_manager_and_language(
    rig: Rig,
) -> None:
    rig.use(AUTO)
    rig.entra.put(user(1), user(2, leave=None))

    report = await rig.check.run()

    departure = await rig.departure_of(1)
    assert departure is not None
    assert departure.last_working_day == SOON
    assert departure.manager_upn == BOSS
    assert departure.unit == "social-care"
    assert departure.locale == "da"
    assert departure.external_id == f"entra:{user(1).id}"
    assert ("departure.registered", "exitbot:entra", "entra") in await rig.actions(departure.id)
    assert report.registered == 1 and report.full_read
    assert await rig.departure_of(2) is None
    again = await rig.check.run()
    assert not again.full_read and again.registered == 0
    assert await rig.count() == 1
    assert rig.entra.calls == ["start_delta", "with_leave_dates", "changes"]


async def test_confirm_mode_proposes_and_hr_confirms_with_one_click(rig: Rig) -> None:
    rig.entra.put(user(1))

    report = await rig.check.run()

    assert report.to_confirm == 1 and await rig.count() == 0
    [waiting] = await rig.check.waiting()
    assert (waiting.upn, waiting.state, waiting.leave_date) == (
        user(1).upn,
        FindingState.TO_CONFIRM,
        SOON,
    )
    confirmed = await rig.check.confirm(HR, waiting.user_id, waiting.revision)
    assert confirmed.state is FindingState.REGISTERED
    departure = await rig.departure_of(1)
    assert departure is not None and confirmed.departure_id == departure.id
    assert ("departure.registered", HR, "entra") in await rig.actions(departure.id)
    assert await rig.check.waiting() == []
    assert (await rig.check.run()).to_confirm == 0


async def test_a_moved_leave_date_moves_the_departure_in_both_modes(rig: Rig) -> None:
    rig.entra.put(user(1))
    await rig.check.run()
    [waiting] = await rig.check.waiting()
    await rig.check.confirm(HR, waiting.user_id, waiting.revision)

    rig.entra.set_leave(1, LATER)
    report = await rig.check.run()

    departure = await rig.departure_of(1)
    assert departure is not None and departure.last_working_day == LATER
    assert report.moved == 1 and await rig.count() == 1
    assert ("departure.last_day_changed", "exitbot:entra", "entra") in await rig.actions(
        departure.id
    )
    finding = await rig.store.get(user(1).id)
    assert finding is not None and finding.revision > waiting.revision


async def test_a_cleared_date_cancels_and_a_reset_date_registers_again(rig: Rig) -> None:
    rig.use(AUTO.model_copy(update={"when_cleared": "cancel"}))
    rig.entra.put(user(1))
    await rig.check.run()
    first = await rig.departure_of(1)
    assert first is not None

    rig.entra.set_leave(1, None)
    report = await rig.check.run()

    assert report.cancelled == 1
    assert (await rig.departures.get(first.id)).status is DepartureStatus.CANCELLED
    assert await rig.departure_of(1) is None

    rig.entra.set_leave(1, LATER)
    report = await rig.check.run()

    second = await rig.departure_of(1)
    assert second is not None and second.id != first.id
    assert second.last_working_day == LATER and report.registered == 1
    assert len(await rig.all_for(1)) == 2


async def test_a_cleared_date_asks_hr_who_cancels_or_keeps(rig: Rig) -> None:
    rig.use(AUTO)  # when_cleared: ask (the default)
    rig.entra.put(user(1), user(2))
    await rig.check.run()
    rig.entra.set_leave(1, None)
    rig.entra.set_leave(2, None)

    report = await rig.check.run()

    assert report.to_cancel == 2
    waiting = {f.user_id: f for f in await rig.check.waiting()}
    assert {f.state for f in waiting.values()} == {FindingState.TO_CANCEL}
    one, two = waiting[user(1).id], waiting[user(2).id]
    await rig.check.cancel_departure(HR, one.user_id, one.revision)
    kept = await rig.check.keep_departure(HR, two.user_id, two.revision)
    assert await rig.departure_of(1) is None
    still = await rig.departure_of(2)
    assert still is not None and kept.state is FindingState.REGISTERED
    assert ("leave_date.kept", HR, "entra") in await rig.actions(still.id)
    assert await rig.check.waiting() == []


async def test_a_user_outside_the_filter_is_skipped(rig: Rig) -> None:
    rig.use(AUTO.model_copy(update={"where": {"companyName": "Contoso"}}))
    outside = user(2, attributes={"department": "Social og Sundhed", "companyName": "Fabrikam"})
    rig.entra.put(user(1), outside)

    report = await rig.check.run()

    assert report.registered == 1 and report.skipped == 1
    assert await rig.departure_of(2) is None
    assert await rig.check.waiting() == []


async def test_a_group_is_asked_only_for_users_with_a_leave_date(rig: Rig) -> None:
    rig.use(AUTO.model_copy(update={"group_id": "group-leavers"}))
    rig.directory.members.add(user(1).upn)
    rig.entra.put(user(1), user(2), user(3, leave=None))

    report = await rig.check.run()
    rig.entra.put(user(4, leave=None))
    await rig.check.run()

    assert report.registered == 1 and report.skipped == 1
    assert await rig.departure_of(2) is None
    assert rig.directory.group_asks == 2


async def test_a_department_with_no_unit_is_shown_to_hr_not_guessed(rig: Rig) -> None:
    rig.use(AUTO)
    rig.entra.put(user(1, attributes={"department": "Kantinen"}))

    report = await rig.check.run()

    assert report.no_unit == 1 and await rig.count() == 0
    [waiting] = await rig.check.waiting()
    assert waiting.state is FindingState.NO_UNIT and waiting.unit is None
    assert waiting.unit_value == "Kantinen"
    assert (await rig.check.run()).no_unit == 0  # asked once, not again each check
    confirmed = await rig.check.confirm(HR, waiting.user_id, waiting.revision, unit="home-care")
    departure = await rig.departure_of(1)
    assert departure is not None and departure.unit == "home-care"
    assert confirmed.state is FindingState.REGISTERED


async def test_no_unit_is_left_to_hr_s_doors_when_only_some_units_take_entra(rig: Rig) -> None:
    # The organisation registers by hand; only its two units take Entra: a leaver whose
    # department maps to no unit may belong anywhere, so HR is not asked to place them.
    rig.use(AUTO.model_copy(update={"units": frozenset({"social-care", "home-care"})}))
    rig.entra.put(user(1, attributes={"department": "Kantinen"}))

    report = await rig.check.run()

    assert report.skipped == 1 and report.no_unit == 0
    assert await rig.check.waiting() == [] and await rig.count() == 0


async def test_the_department_matches_without_regard_to_case_or_spaces(rig: Rig) -> None:
    rig.use(AUTO)
    rig.entra.put(user(1, attributes={"department": "  SOCIAL OG SUNDHED "}))

    assert (await rig.check.run()).registered == 1
    departure = await rig.departure_of(1)
    assert departure is not None and departure.unit == "social-care"


async def test_a_unit_not_taking_entra_is_left_to_the_other_doors(rig: Rig) -> None:
    rig.use(AUTO)
    rig.entra.put(user(1, attributes={"department": "Teknik"}))

    report = await rig.check.run()

    assert report.skipped == 1 and await rig.count() == 0
    assert await rig.check.waiting() == []


async def test_a_leave_date_for_someone_already_registered_links_never_twice(
    rig: Rig,
) -> None:
    rig.use(AUTO)
    by_teams = await rig.service.register(
        RegistrationRequest(leaver=user(1).upn, unit="social-care", last_working_day=LATER),
        HR,
        door="teams",
    )
    assert by_teams.departure is not None
    rig.entra.put(user(1))

    report = await rig.check.run()

    assert report.linked == 1 and report.registered == 0 and await rig.count() == 1
    departure = await rig.departure_of(1)
    assert departure is not None and departure.id == by_teams.departure.id
    assert departure.last_working_day == LATER  # the departure's date stands at the link
    assert (AUDIT_LINKED, "exitbot:entra", "entra") in await rig.actions(departure.id)
    rig.entra.set_leave(1, date(2026, 4, 24))
    assert (await rig.check.run()).moved == 1
    moved = await rig.departure_of(1)
    assert moved is not None and moved.last_working_day == date(2026, 4, 24)


async def test_the_same_leave_date_stays_dismissed_a_new_one_asks_again(rig: Rig) -> None:
    rig.entra.put(user(1))
    await rig.check.run()
    [waiting] = await rig.check.waiting()

    dismissed = await rig.check.dismiss(HR, waiting.user_id, waiting.revision)

    assert dismissed.state is FindingState.DISMISSED and await rig.check.waiting() == []
    rig.entra.put(user(1, display_name="User One"))  # something else changed
    await rig.check.run()
    assert await rig.check.waiting() == []
    rig.entra.set_leave(1, LATER)
    assert (await rig.check.run()).to_confirm == 1
    [again] = await rig.check.waiting()
    assert again.leave_date == LATER and await rig.count() == 0


async def test_hr_acting_on_a_changed_finding_is_stale_and_does_nothing(rig: Rig) -> None:
    rig.entra.put(user(1))
    await rig.check.run()
    [shown] = await rig.check.waiting()
    rig.entra.set_leave(1, LATER)
    await rig.check.run()

    with pytest.raises(StaleFinding):
        await rig.check.confirm(HR, shown.user_id, shown.revision)
    with pytest.raises(StaleFinding):
        await rig.check.dismiss(HR, shown.user_id, shown.revision)
    with pytest.raises(KeyError):
        await rig.check.dismiss(HR, "no-such-user", 0)
    assert await rig.count() == 0


async def test_a_refused_registration_waits_for_hr_with_the_reason(rig: Rig) -> None:
    rig.use(AUTO)
    rig.directory.without_manager.add(user(1).upn)
    rig.entra.put(user(1))

    report = await rig.check.run()

    assert report.not_registered == 1 and await rig.count() == 0
    [waiting] = await rig.check.waiting()
    assert (waiting.state, waiting.problem) == (FindingState.NOT_REGISTERED, NO_MANAGER)
    rig.directory.without_manager.clear()
    await rig.check.confirm(HR, waiting.user_id, waiting.revision)
    assert await rig.departure_of(1) is not None


async def test_a_date_beyond_the_look_ahead_is_acted_on_when_it_comes_within(rig: Rig) -> None:
    rig.use(AUTO)
    rig.entra.put(user(1, leave=date(2026, 5, 15)))

    await rig.check.run()
    assert await rig.count() == 0
    ahead = await rig.store.get(user(1).id)
    assert ahead is not None and ahead.state is FindingState.AHEAD

    rig.clock.advance(days=20)  # nothing changed in Entra
    report = await rig.check.run()

    departure = await rig.departure_of(1)
    assert departure is not None and departure.last_working_day == date(2026, 5, 15)
    assert report.registered == 1


async def test_an_expired_delta_link_reads_everything_again(rig: Rig) -> None:
    rig.use(AUTO)
    rig.entra.put(user(1), user(2))
    await rig.check.run()
    state = await rig.store.state()
    assert state.delta_link is not None
    rig.entra.expired.add(state.delta_link)
    rig.entra.users.pop(user(2).id)  # cleared while the link was lost: the full read says so
    rig.entra.set_leave(1, LATER)

    report = await rig.check.run()

    assert report.full_read and report.moved == 1 and report.to_cancel == 1
    moved = await rig.departure_of(1)
    assert moved is not None and moved.last_working_day == LATER


async def test_partial_delta_entries_are_read_whole(rig: Rig) -> None:
    rig.use(AUTO)
    rig.entra.put(user(1))
    await rig.check.run()
    rig.entra.partial = True
    rig.entra.put(user(2))
    rig.entra.set_leave(1, LATER)

    report = await rig.check.run()

    assert report.registered == 1 and report.moved == 1
    new = await rig.departure_of(2)
    assert new is not None and new.unit == "social-care"


async def test_a_removed_user_keeps_the_departure(rig: Rig) -> None:
    rig.use(AUTO.model_copy(update={"when_cleared": "cancel"}))
    rig.entra.put(user(1))
    await rig.check.run()
    rig.entra.remove(1)

    report = await rig.check.run()

    assert report.skipped == 1 and report.cancelled == 0
    assert await rig.departure_of(1) is not None


@pytest.mark.parametrize(
    ("error", "failure"),
    [(LeaveDatesNotAllowed(), "not_allowed"), (DirectoryUnavailable("down"), "unavailable")],
)
async def test_a_failed_check_says_why_and_the_next_one_recovers(
    rig: Rig, error: Exception, failure: str
) -> None:
    rig.use(AUTO)
    rig.entra.put(user(1))
    rig.entra.fail_with = error

    with pytest.raises(type(error)):
        await rig.check.run()

    status = await rig.check.status()
    assert status.failure == failure and status.checked_at is None
    rig.entra.fail_with = None
    report = await rig.check.run()
    status = await rig.check.status()
    assert report.registered == 1 and status.failure is None
    assert status.report is not None and status.report.registered == 1


async def test_done_findings_are_deleted_after_the_retention_period(rig: Rig) -> None:
    rig.use(AUTO)
    rig.entra.put(user(1))
    await rig.check.run()
    rig.clock.advance(days=400)
    departure = await rig.departure_of(1)
    assert departure is not None
    await rig.check.run()
    assert await rig.store.get(user(1).id) is not None  # 12 months not yet past the date
    rig.clock.advance(days=30)
    await rig.check.run()
    assert await rig.store.get(user(1).id) is None


async def test_a_proposal_hr_left_until_the_date_passed_leaves_the_list(rig: Rig) -> None:
    rig.entra.put(user(1))
    await rig.check.run()
    assert len(await rig.check.waiting()) == 1

    rig.clock.advance(days=45)  # past 10 April; nothing changed in Entra
    await rig.check.run()

    assert await rig.check.waiting() == [] and await rig.count() == 0


async def test_hr_dismissing_is_audited_and_a_persons_findings_can_be_exported(rig: Rig) -> None:
    rig.entra.put(user(1))
    await rig.check.run()
    [waiting] = await rig.check.waiting()

    await rig.check.dismiss(HR, waiting.user_id, waiting.revision)

    async with rig.db.engine.connect() as connection:
        rows = (
            await connection.exec_driver_sql(
                "SELECT actor, action FROM audit_log WHERE action = 'leave_date.dismissed'"
            )
        ).all()
    assert [tuple(row) for row in rows] == [(HR, "leave_date.dismissed")]
    [mine] = await rig.store.for_person(user(1).upn.upper())
    assert mine.state is FindingState.DISMISSED and mine.leave_date == SOON
