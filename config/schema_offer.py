"""HR's YAML for what a unit offers its leavers, per type of departure (`offer:` in a unit).

    offer:
      mode: both                # both | conversation | survey_instead
      by_type:
        dismissal: {conversation: false, survey: true}
        retirement: {survey: false}

config.rules.offer_policy translates it into journey.offer_policy.OfferPolicy.
"""

from __future__ import annotations

from pydantic import Field

from config.schema_base import Strict
from journey.departure import DepartureType
from journey.offer_policy import OfferMode


class TypeOfferSettings(Strict):
    """One type of departure's own offer; a field left out follows the unit's `mode`."""

    conversation: bool | None = None
    survey: bool | None = None


class OfferSettings(Strict):
    """Whether a unit offers a conversation, the survey, or the survey instead."""

    mode: OfferMode = OfferMode.BOTH
    by_type: dict[DepartureType, TypeOfferSettings] = Field(default_factory=dict)
