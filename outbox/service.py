"""The outbox wired: reaching people, the notifiers, and the delivery worker's lifetime."""

from __future__ import annotations

import asyncio
import logging
import time
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
from outbox.watch import DeliveryWatch
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

log = logging.getLogger(__name__)

# The delivery worker looks for due messages this often: an offer or a task card should not
# wait long after the click that caused it.
POLL_SECONDS = 0.2
# On stop, sends under way get this long to finish (the platform's grace before SIGKILL is
# 30 s on App Service and in containers); what is still unfinished is left to its lease.
STOP_SECONDS = 20.0


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
        self._worker: DeliveryWorker | None = None

    async def start(self, delivered: Delivered, watch: DeliveryWatch | None = None) -> None:
        """Start delivering due messages in the background; `delivered` hears each outcome,
        `watch` each request to Teams (telemetry)."""
        self._worker = worker = DeliveryWorker(
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
            watch=watch,
        )
        self._stop.clear()
        self._task = asyncio.create_task(worker.run_forever(self._stop))

    def worker_idle_for(self) -> float | None:
        """Seconds since the delivery worker's loop last came round; None if it is not running."""
        worker, task = self._worker, self._task
        if worker is None or task is None or task.done():
            return None
        if worker.loop_ran_at is None:
            return 0.0  # started, its first round is yet to come
        return time.monotonic() - worker.loop_ran_at

    async def stop(self, within: float = STOP_SECONDS) -> None:
        """Claim nothing more, finish the sends under way (for at most `within` seconds), stop."""
        self._stop.set()
        task, self._task = self._task, None
        if task is None:
            return
        done, _ = await asyncio.wait({task}, timeout=within)
        if not done:
            # Left `sending` (reconciled, never blindly resent) or `claimed` (claimed again
            # once the lease runs out) for the next instance.
            log.warning("sends still under way after %.0f s at stop: left to their leases", within)
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)


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
