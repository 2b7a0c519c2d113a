"""The handover checklist (issue 4): the leaver and their manager tick items and name who
takes over; both their cards follow, and the reminders are planned again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from journey import handover
from journey.access import Asker, may_hand_over
from journey.departure import Departure
from journey.kernel import Kernel, Refusal
from journey.notify import JourneyNotifier
from journey.refusals import Reason
from journey.reminders import ReminderRules


class HandoverChecklist:
    """The checklist's steps on one departure (DepartureFlow.handover)."""

    def __init__(
        self,
        kernel: Kernel,
        notifier: JourneyNotifier,
        rules: Callable[[str], ReminderRules],
        replan: Callable[[str], Awaitable[None]],
    ) -> None:
        self._kernel = kernel
        self._notifier = notifier
        self._rules = rules
        self._replan = replan

    async def open_handover(self, asker: Asker, departure_id: str) -> Departure:
        """The departure, if `asker` is its leaver or manager; NotAllowed (audited) if not."""
        refusal = Refusal("refused", {"act": "handover"}, Reason.NOT_LEAVER_OR_MANAGER)
        return await self._kernel.open(departure_id, lambda d: may_hand_over(d, asker), refusal)

    async def tick(self, asker: Asker, departure_id: str, item: str, done: bool) -> Departure:
        """The leaver or manager ticks a handover item (or opens it again); both cards follow."""
        departure = await self.open_handover(asker, departure_id)
        items = self._rules(departure.unit).handover_items
        saved = await self._kernel.update(
            departure_id, lambda d: handover.tick(d, item, done, items)
        )
        action = "handover.ticked" if done else "handover.reopened"
        await self._kernel.record(asker, action, departure_id, item=item)
        await self._replan(departure_id)  # open items are what the reminders are about
        await self._notifier.handover_changed(saved)
        return saved

    async def name_successor(self, asker: Asker, departure_id: str, name: str | None) -> Departure:
        """The leaver or manager says who takes over; both cards show it."""
        await self.open_handover(asker, departure_id)
        saved = await self._kernel.update(departure_id, lambda d: handover.name_successor(d, name))
        # The name itself stays out of the audit log, like every other free text.
        await self._kernel.record(asker, "handover.successor", departure_id)
        await self._notifier.handover_changed(saved)
        return saved
