"""HR is told when the check of Entra ID found leave dates that wait for HR (issue 16).

After a check that found new ones, HR (the organisation's HR contact if in HR, and HR's
members in the YAML) get HR's card of the leave dates (cards.leave_dates) once, each in their
own language, as a due action without a departure: the delivery worker sends it like any
other card (and records it, not on any departure's timeline). Only someone who already chats
with the bot is told: the bot does not install itself for someone just to say this (they see
it on the list's banner, or with the `leave dates` command). The card is drawn as the findings
stand when the check ends; a click on a row that changed since is refused as stale and
answered with the card as it is then.
"""

from __future__ import annotations

from collections.abc import Callable

from cards.leave_dates import LeaveDatesView, leave_dates_card
from cards.locale import Speaker
from config.loaded import LoadedConfig
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

    async def found(self, report: CheckReport) -> int:
        """After a check: the card to each HR contact when it found any for HR; how many."""
        count = new_for_hr(report)
        if not count:
            return 0
        told = 0
        for upn in hr_contacts(self._config()):
            told += await self._tell(upn, count)
        return told

    async def _tell(self, upn: str, count: int) -> bool:
        """The card for one HR contact who chats with the bot, once per check."""
        ref = await self._refs.find_by_upn(upn)
        if ref is None:
            return False
        config = self._config()
        status = await self._inbox.status()
        when = status.checked_at or self._clock.now()
        chosen = await self._choices.chosen(upn)
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
            key=f"{KIND}:{upn}:{when.isoformat()}",
            kind=KIND,
            recipient_key=upn,
            due_at=self._clock.now(),
            payload=card_activity(leave_dates_card(say, view)),
        )
        return await self._queue.schedule(action)


def hr_contacts(config: LoadedConfig) -> list[str]:
    """Whom to tell: the organisation's HR contact if they are in HR, and HR's members listed
    in the YAML (HR in Entra's group only are not known here: they see the list's banner)."""
    contact = config.unit(None).hr_contact
    listed = [contact] if contact and config.is_hr_member(contact) else []
    return list(
        dict.fromkeys(upn.strip().lower() for upn in [*listed, *config.organisation.hr.members])
    )
