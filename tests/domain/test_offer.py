"""The offer on in-memory doubles: the leaver's answer, who may give it, and HR's events."""

from __future__ import annotations

import pytest

from journey.access import Act
from journey.departure import DepartureStatus, Reach
from journey.refusals import NotAllowed, Reason, StaleAction
from tests.domain.world import LEAVER, MANAGER, STRANGER, World


async def test_the_leaver_is_offered_the_conversation_once(world: World) -> None:
    departure = await world.departure()
    await world.flow.registered(departure)
    await world.flow.registered(departure)  # a repeated event offers nothing twice
    assert world.notifier.kinds().count("offer") == 1
    assert (await world.stored(departure.id)).status is DepartureStatus.OFFERED
    assert world.audit.actions(departure.id) == ["offer.sent"]


async def test_an_unreachable_leaver_is_shown_to_hr(world: World) -> None:
    world.notifier.offer_problem = Reach.BLOCKED
    departure = await world.departure()
    await world.flow.registered(departure)
    stored = await world.stored(departure.id)
    assert stored.reach is Reach.BLOCKED
    assert world.audit.entries[-1].detail == {"reach": "blocked"}


async def test_accepting_moves_the_departure_on_and_plans_reminders(world: World) -> None:
    departure = await world.departure(status=DepartureStatus.OFFERED)
    saved = await world.flow.accept(LEAVER, departure.id)
    assert saved.status is DepartureStatus.ACCEPTED
    assert saved.accepted_at == world.clock.now()
    assert "reminders" in world.notifier.kinds()
    assert world.audit.actions(departure.id) == ["offer.accepted"]


async def test_a_decline_keeps_the_reason_but_not_in_the_audit_log(world: World) -> None:
    departure = await world.departure(status=DepartureStatus.OFFERED)
    saved = await world.flow.decline(LEAVER, departure.id, "  my manager  ")
    assert saved.status is DepartureStatus.DECLINED
    assert saved.decline_reason == "my manager"
    assert world.audit.entries[-1].detail == {"reason": "given"}
    assert "manager" not in str([entry.model_dump() for entry in world.audit.entries])


async def test_later_asks_again_in_three_days(world: World) -> None:
    departure = await world.departure(status=DepartureStatus.OFFERED)
    saved, days = await world.flow.later(LEAVER, departure.id)
    assert days == 3
    assert saved.remind_offer_at is not None
    assert (saved.remind_offer_at - world.clock.now()).days == 3
    assert world.audit.entries[-1].detail == {"days": "3"}


async def test_only_the_leaver_answers_the_offer_and_a_refusal_is_audited(world: World) -> None:
    departure = await world.departure(status=DepartureStatus.OFFERED)
    for asker in (MANAGER, STRANGER):
        with pytest.raises(NotAllowed) as refused:
            await world.flow.accept(asker, departure.id)
        # What dialogs.router writes to the audit log, once (tests/journey/test_refusal_audit).
        assert (refused.value.reason, refused.value.departure_id) == (
            Reason.NOT_LEAVER,
            departure.id,
        )
        assert (refused.value.action, refused.value.detail) == (
            "refused",
            {"act": Act.ANSWER_OFFER.value},
        )
    assert (await world.stored(departure.id)).status is DepartureStatus.OFFERED
    assert world.audit.actions(departure.id) == []  # not twice: the router audits it


async def test_a_card_for_a_gone_or_cancelled_departure_is_stale(world: World) -> None:
    with pytest.raises(StaleAction):
        await world.flow.accept(LEAVER, "no-such-departure")
    departure = await world.departure(status=DepartureStatus.CANCELLED)
    with pytest.raises(StaleAction):
        await world.flow.accept(LEAVER, departure.id)


async def test_a_save_over_someone_elses_change_is_applied_again(world: World) -> None:
    departure = await world.departure(status=DepartureStatus.OFFERED)
    real_update = world.departures.update
    raced: list[int] = []

    async def update_after_someone_else(changed):  # type: ignore[no-untyped-def]
        if not raced:  # HR saves in between the read and the leaver's save
            raced.append(1)
            world.departures.bump(departure.id, leaver_name="Sofie A.")
        return await real_update(changed)

    world.departures.update = update_after_someone_else  # type: ignore[method-assign]
    saved = await world.flow.accept(LEAVER, departure.id)
    assert saved.status is DepartureStatus.ACCEPTED
    assert saved.leaver_name == "Sofie A."  # HR's change was kept, not overwritten
    assert saved.version == 2


async def test_the_fake_repository_refuses_a_stale_version_like_the_sql_one(
    world: World,
) -> None:
    from journey.ports import ConcurrentUpdate

    departure = await world.departure()
    await world.departures.update(departure.changed(leaver_name="First"))
    with pytest.raises(ConcurrentUpdate):
        await world.departures.update(departure.changed(leaver_name="Second"))
    assert (await world.stored(departure.id)).leaver_name == "First"
