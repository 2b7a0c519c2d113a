"""HR's YAML for where departures come from (issue 16): by hand, or Entra ID's leave date.

    departures:
      max_days_ahead: 365
      source: entra                 # manual (default) | entra
      entra:                        # optional: these are the defaults
        look_ahead_days: 60         # 1..365
        mode: confirm               # confirm | auto
        when_cleared: ask           # ask | cancel
        check_every_minutes: 60     # 5..1440
        users:                      # who counts; both optional, all must hold
          group: 6f1c...            # an Entra group's object id (members, also nested)
          where: {companyName: Contoso Kommune, employeeType: Employee}
        unit_from:
          attribute: department
          values: {Hjemmeplejen: home-care}

A unit in units.yaml may write `departures_source: entra` or `manual` to differ from the
organisation (inherited by the units below it). config.loaded.LoadedConfig.leave_dates turns
it into journey.leave_dates.LeaveDateSettings; config.departure_checks checks it across files.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from config.hints import did_you_mean
from config.schema_base import Id, NonEmpty, Strict, _entra_id

DepartureSource = Literal["manual", "entra"]

# The Graph user properties HR's YAML may filter on or map to a unit: single text values that
# Graph returns with $select and in a delta. Nested ones (employeeOrgData's division and
# costCenter) and extension attributes are not read.
ENTRA_ATTRIBUTES: tuple[str, ...] = (
    "department",
    "companyName",
    "employeeType",
    "officeLocation",
    "jobTitle",
    "city",
    "state",
    "country",
    "usageLocation",
)


def _attribute(value: str) -> str:
    if value in ENTRA_ATTRIBUTES:
        return value
    raise ValueError(
        f"{value!r} is not a user property the bot reads from Entra ID "
        f"({', '.join(ENTRA_ATTRIBUTES)}){did_you_mean(value, ENTRA_ATTRIBUTES)}"
    )


def _source_in_organisation(value: Any) -> Any:
    raise ValueError(
        "the organisation's source is `departures.source` in organisation.yaml; "
        "`departures_source` is written in a unit (units.yaml) that differs from it"
    )


Attribute = Annotated[str, AfterValidator(_attribute)]
EntraId = Annotated[str, AfterValidator(_entra_id)]


class EntraUsers(Strict):
    """Which users count: members of the group (also through nested groups) whose attributes
    have these values (compared without regard to case); each is optional, all must hold."""

    group: EntraId | None = None
    where: dict[Attribute, NonEmpty] = Field(default_factory=dict)


class UnitFrom(Strict):
    """Which unit a leaver belongs to: an attribute's value → a unit id in units.yaml. A value
    no entry names (or no value) is shown to HR, who picks the unit; it is never guessed."""

    attribute: Attribute = "department"
    values: dict[NonEmpty, Id] = Field(default_factory=dict)


class EntraSettings(Strict):
    """How the leave dates in Entra ID become departures."""

    look_ahead_days: int = Field(60, ge=1, le=365)
    mode: Literal["confirm", "auto"] = "confirm"
    when_cleared: Literal["ask", "cancel"] = "ask"
    check_every_minutes: int = Field(60, ge=5, le=1440)
    users: EntraUsers = EntraUsers()
    unit_from: UnitFrom = UnitFrom()


# In `defaults` (config.schema.UnitSettings) `departures_source` is refused with a message
# that says where the organisation's is written; a Unit overrides it with the real field.
RefusedInDefaults = Annotated[Any, AfterValidator(_source_in_organisation)]
