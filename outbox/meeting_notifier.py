"""How and where the conversation is held, told in Teams (journey.meeting_modes.MeetingNotifier):
the leaver's card shows the place or the time agreed outside the bot, HR hears of a last day
that left no time. Sent once through the due-action queue, in each person's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cards.booking import confirmation_card
from cards.meeting_modes import short_notice_hr_card
from config.rules import gestures, reminder_rules
from journey.departure import Departure
from journey.notify import MessageKind
from outbox.after_notifier import TeamsAfterNotifier
from outbox.notifier import TeamsNotifier

if TYPE_CHECKING:
    from config.loaded import LoadedConfig


class TeamsMeetingNotifier:
    """The journey's notifier and the thank-you's, plus what only a change of place says."""

    def __init__(
        self,
        *,
        config: Callable[[], LoadedConfig],
        notifier: TeamsNotifier,
        after: TeamsAfterNotifier,
    ) -> None:
        self._config = config
        self._teams = notifier
        self._after = after

    async def invitation(self, departure: Departure) -> tuple[str, str]:
        return await self._teams.invitation(departure)

    async def task_changed(self, departure: Departure) -> None:
        await self._teams.task_changed(departure)

    async def booked(self, departure: Departure) -> None:
        await self._teams.booked(departure)

    async def held(self, departure: Departure) -> None:
        """The thank-you with the unit's offers (journey.after_conversation's, once)."""
        await self._after.thank_you(departure, gestures(self._config(), departure.unit))

    async def meeting_changed(self, departure: Departure) -> None:
        """The leaver's booked card shows where now: updated in place, and sent so they see it."""
        leaver = departure.leaver_upn
        # The outbox's own helpers: the leaver's language, and a posted card replaced.
        say = await self._teams.speaker_to(departure, leaver)
        posted = departure.cards.get("leaver")
        if posted is not None:
            await self._teams.update_card(posted, confirmation_card(say, departure))
        await self._teams.tell(
            departure,
            MessageKind.MEETING_CHANGED,
            leaver,
            lambda say: confirmation_card(say, departure, note=say("meeting.changed_note")),
            key=f"{departure.id}:meeting_changed:{departure.version}",
        )

    async def short_notice(self, departure: Departure) -> None:
        """The unit's HR contact hears, once per departure, that no time was free."""
        rules = reminder_rules(self._config(), departure.unit)
        # Not the interviewer (they were asked for times already), nor the leaver.
        busy = {departure.interviewer_upn, departure.leaver_upn}
        contacts = [rules.hr_contact, *rules.hr_backup]
        contact = next((upn for upn in contacts if upn and upn not in busy), None)
        if contact is None:
            return
        await self._teams.tell(
            departure,
            MessageKind.SHORT_NOTICE,
            contact,
            lambda say: short_notice_hr_card(say, departure),
            key=f"{departure.id}:{MessageKind.SHORT_NOTICE.value}",
        )
