"""HR's YAML for the farewell (issue 11): who gets the unit's thank-you offers on the last days."""

from __future__ import annotations

from config.schema_base import Strict


class Farewell(Strict):
    """The good farewell (seed 000): the unit's `thank_you_offers` reach every leaver."""

    # On the farewell reminder's day every leaver gets the offers (a reference, the alumni
    # network, contact later), not only those whose conversation was held; false: only then.
    gestures_for_everyone: bool = True
