"""The outbox wired: reaching people, the notifiers, and the delivery worker's lifetime."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

import aiohttp

from journey.clock import Clock
from journey.ports import ConversationRefStore
from outbox.after_notifier import TeamsAfterNotifier
from outbox.connector import ConnectorClient, TokenProvider, delivery_connector
from outbox.follow_up_notifier import TeamsFollowUpNotifier
from outbox.meeting_notifier import TeamsMeetingNotifier
from outbox.messages import CardMessages
from outbox.notifier import TeamsNotifier
from outbox.outcomes import Delivered, DeliveryReport
from outbox.policy import DeliveryPolicy
from outbox.reach import Reacher
from outbox.render import CardsAtSend
from outbox.speaker import Voices
from outbox.worker import DeliveryWorker
from storage.database import Database
from storage.departures import SqlDepartureRepository
from storage.due_actions import DueActionQueue
from storage.follow_ups import SqlFollowUpStore
from storage.language_choices import SqlLanguageChoices
from storage.send_budget import SendBudget

if TYPE_CHECKING:
    from config.loaded import LoadedConfig
    from people.ports import PeoplePorts

# The delivery worker looks for due messages this often: an offer or a task card should not
# wait long after the click that caused it.
POLL_SECONDS = 0.2


class Outbox:
    """Everything that reaches a person on the bot's initiative, with its delivery worker."""

    def __init__(
        self,
        *,
        db: Database,
        session: aiohttp.ClientSession,
        tokens: TokenProvider,
        connector: ConnectorClient,
        refs: ConversationRefStore,
        clock: Clock,
        config: Callable[[], LoadedConfig],
        people: PeoplePorts,
        bot_id: str,
        tenant_id: str,
        default_service_url: str | None = None,
    ) -> None:
        self._db, self._session, self._tokens = db, session, tokens
        self._refs, self._clock = refs, clock
        self.queue = DueActionQueue(db, clock)
        self.reacher = Reacher(
            refs=refs,
            directory=people.directory,
            teams=people.teams,
            connector=connector,
            bot_id=bot_id,
            tenant_id=tenant_id,
            default_service_url=default_service_url,
        )
        # Each person's language, with the choice they made (outbox.speaker).
        voices = Voices(config, SqlLanguageChoices(db, clock))
        self.notifier = TeamsNotifier(
            config=config,
            refs=refs,
            directory=people.directory,
            queue=self.queue,
            connector=connector,
            reacher=self.reacher,
            clock=clock,
            voices=voices,
        )
        self.after = TeamsAfterNotifier(
            config=config,
            refs=refs,
            messages=CardMessages(self.queue, clock),
            clock=clock,
            task_changed=self.notifier.task_changed,
            voices=voices,
        )
        self.meetings = TeamsMeetingNotifier(
            config=config, notifier=self.notifier, after=self.after
        )
        # Follow-ups (issue 14): the owner's card and the due date's reminder.
        self.follow_ups = _follow_ups(db, config, clock, self.queue, self.notifier)
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self, delivered: Delivered) -> None:
        """Start delivering due messages in the background; `delivered` hears each outcome."""
        worker = DeliveryWorker(
            self.queue,
            delivery_connector(self._session, self._tokens),
            self._refs,
            budget=SendBudget(self._db),
            clock=self._clock,
            policy=DeliveryPolicy(poll_seconds=POLL_SECONDS),
            open_conversation=self.reacher.for_worker,
            render=CardsAtSend(
                SqlDepartureRepository(self._db, self._clock),
                self.notifier,
                follow_ups=self.follow_ups.card_at_send,
            ),
            on_settled=DeliveryReport(self._refs, delivered),
        )
        self._stop.clear()
        self._task = asyncio.create_task(worker.run_forever(self._stop))

    async def stop(self) -> None:
        """Finish sends under way and stop."""
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None


def _follow_ups(
    db: Database,
    config: Callable[[], LoadedConfig],
    clock: Clock,
    queue: DueActionQueue,
    notifier: TeamsNotifier,
) -> TeamsFollowUpNotifier:
    """The owners' cards and reminders, drawn from the follow-up when they go (issue 14)."""
    return TeamsFollowUpNotifier(
        config=config,
        queue=queue,
        clock=clock,
        store=SqlFollowUpStore(db),
        departures=SqlDepartureRepository(db, clock),
        speaker_to=notifier.speaker_to,
    )
