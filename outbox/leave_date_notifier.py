"""HR is told when the check of Entra ID found leave dates that wait for HR (issue 16).

After a check that found new ones, the organisation's HR contact gets HR's card of the leave
dates (cards.leave_dates) once, in their own language, as a due action without a departure:
the delivery worker sends it like any other card (and records it, not on any departure's
timeline). Only a contact who already has a chat with the bot is told: the bot does not
install itself for someone just to say this (they see it on the list's banner, or with the
`leave dates` command). The card is drawn as the findings stand when the check ends; a click
on a row that changed since is refused as stale and answered with the card as it is then.
"""

from __future__ import annotations

from collections.abc import Callable

from cards.leave_dates import LeaveDatesView, leave_dates_card
from cards.locale import Speaker
from config.loaded import LoadedConfig
from config.rules import reminder_rules
from journey.clock import Clock
from journey.due import DueActions, ScheduledAction
from journey.leave_dates import CheckReport, LeaveDateInbox
from journey.locale import preferred_locale
from journey.ports import ConversationRefStore, LanguageChoices
from outbox.messages import card_activity

KIND = "leave_dates.found"  # not a departure's message: outbox.outcomes leaves it alone


def new_for_hr(report: CheckReport) -> int:
    """How many findings this check left for HR to look at."""
    return report.to_confirm + report.no_unit + report.not_registered + report.to_cancel


class LeaveDateNotifier:
    """Sends HR's contact the card of leave dates after a check that found new ones."""

    def __init__(
        self,
        *,
        inbox: LeaveDateInbox,
        queue: DueActions,
        refs: ConversationRefStore,
        choices: LanguageChoices,
        config: Callable[[], LoadedConfig],
        clock: Clock,
    ) -> None:
        self._inbox, self._queue, self._refs = inbox, queue, refs
        self._choices, self._config, self._clock = choices, config, clock

    async def found(self, report: CheckReport) -> bool:
        """After a check: the card to HR's contact when it found any for HR; whether it did."""
        count = new_for_hr(report)
        config = self._config()
        contact = reminder_rules(config, "").hr_contact  # the organisation's HR contact
        if not count or not contact:
            return False
        ref = await self._refs.find_by_upn(contact)
        if ref is None:
            return False
        status = await self._inbox.status()
        when = status.checked_at or self._clock.now()
        chosen = await self._choices.chosen(contact)
        say = Speaker(config, preferred_locale(chosen=chosen, registered=None, teams=ref.locale))
        view = LeaveDatesView(
            findings=await self._inbox.waiting(),
            status=status,
            units=[(u, config.unit_name(u, say.lang) or u) for u in config.unit_ids],
            zone=config.defaults.calendar.zone,
            attribute=config.leave_dates.unit_attribute if config.leave_dates else "department",
            notice=say("leave_dates.found_new", count=count),
        )
        action = ScheduledAction(
            key=f"{KIND}:{contact.strip().lower()}:{when.isoformat()}",
            kind=KIND,
            recipient_key=contact,
            due_at=self._clock.now(),
            payload=card_activity(leave_dates_card(say, view)),
        )
        return await self._queue.schedule(action)
