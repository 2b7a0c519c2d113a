"""What a settled message records on its departure: journey.flow.DepartureFlow.delivered reads
the departure only for a message that may record something (flow_rules.may_record)."""

from __future__ import annotations

import itertools

from journey import flow_rules
from journey.departure import PostedCard, Reach
from journey.notify import MessageKind
from tests.cards.catalogue import departure

POSTED = PostedCard(activity_id="1:a", conversation_id="a:chat", service_url="https://smba/")
REACHES = (None, *Reach)


def test_a_message_that_may_record_nothing_changes_no_departure() -> None:
    departures = [departure(reach=reach) for reach in REACHES]
    skipped = 0
    for kind, reach, posted in itertools.product(MessageKind, REACHES, (None, POSTED)):
        if flow_rules.may_record(kind, reach, posted):
            continue
        skipped += 1
        for stored in departures:
            assert flow_rules.delivered(stored, kind, reach, posted) is None, (kind, reach)
    assert skipped > len(MessageKind)  # reminders, survey offers, failures of cards...


def test_a_posted_task_card_and_the_offers_reach_are_still_recorded() -> None:
    stored = departure(reach=None)
    task = flow_rules.delivered(stored, MessageKind.TASK, None, POSTED)
    assert task is not None and task.cards["task"] == POSTED
    offer = flow_rules.delivered(stored, MessageKind.OFFER, Reach.BLOCKED, None)
    assert offer is not None and offer.reach is Reach.BLOCKED
    assert flow_rules.may_record(MessageKind.TASK, None, POSTED)
    assert flow_rules.may_record(MessageKind.OFFER, Reach.OK, None)
    assert not flow_rules.may_record(MessageKind.CONVERSATION_REMINDER, None, POSTED)
