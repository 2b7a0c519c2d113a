"""The due-action queue is the domain's DueActions port, with the same signatures."""

from __future__ import annotations

import inspect

from journey.due import DueActions
from storage.due_actions import DueActionQueue


def test_the_queue_implements_every_method_of_the_domain_port() -> None:
    port = {
        name: inspect.signature(member)
        for name, member in vars(DueActions).items()
        if inspect.iscoroutinefunction(member)
    }
    assert set(port) == {"schedule", "schedule_many", "cancel", "reschedule"}
    for name, signature in port.items():
        implementation = getattr(DueActionQueue, name)
        assert implementation is not getattr(DueActions, name), name
        assert inspect.signature(implementation) == signature, name
