"""What a dialog step gets: the person, their language, the services, and ways to answer."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity
from pydantic import BaseModel, ConfigDict

from cards.locale import Speaker
from dialogs.commands import Command
from journey.clock import Clock
from journey.locale import language_of
from journey.ports import AuditLog, ConversationRefStore, DepartureRepository, LanguageChoices
from journey.registration import RegistrationService

if TYPE_CHECKING:
    from config.loader import LoadedConfig
    from journey.after_conversation import AfterConversation
    from journey.flow import DepartureFlow
    from journey.follow_up_lists import FollowUpSource
    from journey.follow_ups import FollowUps
    from journey.hr import HrRoster
    from journey.insights_service import InsightsSource
    from journey.leave_dates import LeaveDateInbox
    from journey.meeting_modes import MeetingModes
    from journey.patterns import UnitPatterns
    from journey.plan_changes import PlanChanges
    from journey.sharing import Sharing
    from journey.survey_service import Surveys
    from people.ports import PeoplePorts


@dataclass(frozen=True)
class Services:
    """The ports and configuration every flow may use, wired once in create_app."""

    config: Callable[[], LoadedConfig]
    departures: DepartureRepository
    conversations: ConversationRefStore
    audit: AuditLog
    clock: Clock
    people: PeoplePorts
    registration: RegistrationService
    flow: DepartureFlow | None = None  # offers, interviewers, bookings (journey.flow)
    hr: HrRoster | None = None  # who counts as HR; without it, only HR's list in the YAML
    surveys: Surveys | None = None  # the optional survey (journey.survey_service)
    after: AfterConversation | None = None  # notes, "held", thank-you (issue 5)
    insights: InsightsSource | None = None  # counts across departures (issue 7)
    meetings: MeetingModes | None = None  # in person, outside the bot, short notice (issue 11)
    languages: LanguageChoices | None = None  # the `language` command's choices (issue 11)
    plans: PlanChanges | None = None  # "no" after "yes", someone else, handover (issue 11)
    sharing: Sharing | None = None  # what the leaver chose to share, and with whom (issue 14)
    follow_up_lists: FollowUpSource | None = None  # open follow-ups per unit, own (issue 14)
    patterns: UnitPatterns | None = None  # earlier leavers, on the task card (issue 14)
    follow_ups: FollowUps | None = None  # agreed after the conversation, owned, done (issue 14)
    leave_dates: LeaveDateInbox | None = None  # leave dates from Entra ID for HR (issue 16)


Wired = TypeVar("Wired")


def wired(service: Wired | None, what: str) -> Wired:
    """A service that create_app wires in; a test that left it out fails here, by its name."""
    if service is None:
        raise RuntimeError(f"not wired into the services: {what}")
    return service


class SentAsBuilt(Activity):
    """An outgoing activity that botbuilder's send path copies shallowly, not deeply.

    TurnContext.send_activities deep-copies every outgoing activity, card and all (about a
    tenth of a `help` turn's CPU, bench/turns.py --profile). The activity is built for this
    one message and never changed afterwards, and botbuilder only assigns fields on its copy
    (conversation reference, type, input hint, id), so a shallow copy is as safe.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> SentAsBuilt:
        return copy.copy(self)

    @classmethod
    def of(cls, activity: Activity) -> SentAsBuilt:
        sent = cls()
        sent.__dict__.update(activity.__dict__)
        return sent


class Actor(BaseModel):
    """The person behind the current activity."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: str
    aad_object_id: str | None = None
    name: str | None = None
    upn: str | None = None


class DialogTurn:
    """One incoming activity as the flows see it."""

    def __init__(
        self,
        context: TurnContext,
        services: Services,
        actor: Actor,
        *,
        locale: str | None,
        first_contact: bool,
        available_commands: frozenset[Command] = frozenset(),
        hr: bool | None = None,
    ) -> None:
        self.context = context
        # Decided by the handler (journey.hr.HrRoster may ask Entra ID); None: the YAML list.
        self.hr = hr
        self.services = services
        self.actor = actor
        self.first_contact = first_contact
        self.available_commands = available_commands
        # Decided by the handler (journey.locale.preferred_locale): the person's choice, else
        # HR's registered language, else Teams' (conversationUpdate carries none: the last seen).
        self.locale = locale
        self.language = language_of(self.locale)

    @property
    def config(self) -> LoadedConfig:
        return self.services.config()

    def text(self, key: str, *, unit: str | None = None, **params: Any) -> str:
        """A text from HR's YAML in this person's language."""
        return self.config.text(key, self.locale, unit=unit, **params)

    def speaker(self, unit: str | None = None) -> Speaker:
        """Texts in this person's language, with a unit's own wording where it has one."""
        return Speaker(self.config, self.locale, unit or None)

    def is_hr(self) -> bool:
        """Whether the person is HR: listed in the configuration, or in HR's Entra ID group."""
        if self.hr is not None:
            return self.hr
        return bool(self.actor.upn) and self.config.is_hr_member(self.actor.upn or "")

    async def send_card(self, card: dict[str, Any]) -> str | None:
        """Post an Adaptive Card in this conversation; returns the activity id."""
        response = await self.context.send_activity(
            SentAsBuilt.of(MessageFactory.attachment(CardFactory.adaptive_card(card)))
        )
        return response.id if response else None

    async def send_text(self, text: str) -> str | None:
        """Post a plain message in this conversation; returns the activity id."""
        response = await self.context.send_activity(SentAsBuilt.of(MessageFactory.text(text)))
        return response.id if response else None
