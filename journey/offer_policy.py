"""What a leaver is offered, by unit and type of departure: a conversation, the survey, both.

HR's YAML (config/schema_offer.py) decides per unit, and per type of departure within it:
seed 004 asks whether the employee should be offered an exit conversation at all, and seed 002
lets a unit run it "as an electronic survey" instead. Pure rules; config.rules builds the
policy and journey.flow asks `offered` at the one point where the offer goes out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from journey.departure import Departure, DepartureStatus, DepartureType, Reach

if TYPE_CHECKING:
    from journey.kernel import Kernel
    from journey.notify import JourneyNotifier


class OfferMode(StrEnum):
    """A unit's offer for every type it does not name on its own."""

    BOTH = "both"  # the conversation, and the survey (as the unit's `survey` settings say)
    CONVERSATION = "conversation"  # the conversation only, no survey
    SURVEY_INSTEAD = "survey_instead"  # no conversation: the survey, offered at registration


@dataclass(frozen=True)
class TypeOffer:
    """One type's own choice; None keeps what the unit's mode says."""

    conversation: bool | None = None
    survey: bool | None = None


@dataclass(frozen=True)
class Offered:
    """What this departure's leaver is offered."""

    conversation: bool
    survey: bool

    @property
    def survey_instead(self) -> bool:
        """The survey in place of a conversation: offered at registration, statistics only."""
        return self.survey and not self.conversation

    @property
    def anything(self) -> bool:
        return self.conversation or self.survey


_MODES: Mapping[OfferMode, Offered] = MappingProxyType(
    {
        OfferMode.BOTH: Offered(conversation=True, survey=True),
        OfferMode.CONVERSATION: Offered(conversation=True, survey=False),
        OfferMode.SURVEY_INSTEAD: Offered(conversation=False, survey=True),
    }
)


@dataclass(frozen=True)
class OfferPolicy:
    """A unit's offer: its mode, each type's own choice, and whether it has a survey at all."""

    mode: OfferMode = OfferMode.BOTH
    by_type: Mapping[DepartureType, TypeOffer] = field(default_factory=dict)
    survey_enabled: bool = True

    def offered(self, departure_type: DepartureType) -> Offered:
        """What a leaver of this type is offered (a unit without a survey offers none)."""
        base = _MODES[self.mode]
        own = self.by_type.get(departure_type, TypeOffer())
        conversation = base.conversation if own.conversation is None else own.conversation
        survey = base.survey if own.survey is None else own.survey
        return Offered(conversation=conversation, survey=survey and self.survey_enabled)

    def survey_instead_types(self) -> frozenset[DepartureType]:
        """The types whose leavers get the survey instead of a conversation."""
        return frozenset(t for t in DepartureType if self.offered(t).survey_instead)

    def no_survey_types(self) -> frozenset[DepartureType]:
        """The types whose leavers are not offered the survey at all."""
        return frozenset(t for t in DepartureType if not self.offered(t).survey)


DEFAULT_POLICY = OfferPolicy()


def offered(departure: Departure, policy: OfferPolicy) -> Offered:
    """What the departure's leaver is offered, by its unit's policy and its type."""
    return policy.offered(departure.departure_type)


def without_offer_sent(departure: Departure, reach: Reach | None) -> Departure | None:
    """After a registration that offers no conversation: the departure stays REGISTERED (no
    offer to answer, so no conversation reminders or escalations); only the reach of the
    survey offer, if it could not go, is recorded for HR. None: nothing to change."""
    if departure.status is not DepartureStatus.REGISTERED or reach is None:
        return None
    return departure.changed(reach=reach)


class _HasOffers(Protocol):
    @property
    def offers(self) -> OfferPolicy: ...


async def not_offered(
    kernel: Kernel,
    notifier: JourneyNotifier,
    departure: Departure,
    rules: Callable[[str], _HasOffers],
) -> bool:
    """journey.flow's decision point at registration: False when a conversation is offered
    (the flow goes on with its offer). Otherwise the survey goes out instead, or nothing,
    the departure stays REGISTERED (no offer, so no reminder or escalation about one), the
    audit log says which, and True."""
    decided = offered(departure, rules(departure.unit).offers)
    if decided.conversation:
        return False
    problem = await notifier.survey_instead(departure) if decided.survey else None
    await kernel.update(departure.id, lambda d: without_offer_sent(d, problem))
    detail = {"reach": problem.value} if problem else {}
    action = "offer.survey_instead" if decided.survey else "offer.none"
    await kernel.record("system", action, departure.id, **detail)
    return True
