"""The texts of departures from Entra ID (issue 16) and the placeholders the code fills in for
each: HR's card of the leave dates that wait for HR, its notices, the banner on HR's list,
and the door each departure came through (HR's list and the departure's card). Kept apart
from config.catalog, which takes them in whole."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from journey.departure import Door

_WITHOUT_PARAMS = """
    title intro none off never_checked pick_unit cleared register try_again dismiss
    cancel_departure keep stale banner_one open refresh department
"""

LEAVE_DATE_TEXTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        **{f"leave_dates.{key}": () for key in _WITHOUT_PARAMS.split()},
        "help.command.leave_dates": (),
        "leave_dates.checked": ("at", "found"),
        **{
            f"leave_dates.found_{n}": ("count",)
            for n in ("registered", "waiting", "moved", "cancelled")
        },
        "leave_dates.checked_quiet": ("at",),
        "leave_dates.not_allowed": ("at",),
        "leave_dates.unavailable": ("at",),
        "leave_dates.row": ("day", "unit_name"),
        "leave_dates.row_no_unit": ("day",),
        "leave_dates.no_unit": ("attribute", "value"),
        "leave_dates.no_value": ("attribute",),
        "leave_dates.not_registered": ("problem",),
        "leave_dates.register_all": ("count",),
        "leave_dates.registered": ("name", "last_day"),
        "leave_dates.registered_count": ("count",),
        "leave_dates.changed_count": ("count",),
        "leave_dates.refused_count": ("count",),
        "leave_dates.still_no_unit": ("count",),
        "leave_dates.dismissed": ("name",),
        "leave_dates.cancelled": ("name",),
        "leave_dates.kept": ("name",),
        "leave_dates.pick_first": ("name",),
        "leave_dates.refused_one": ("name", "problem"),
        "leave_dates.banner": ("count",),
        "leave_dates.found_new": ("count",),
        # Where a departure came from, on HR's list and the departure's card.
        "register.registered_via": (),
        "status.registered_via": ("door",),
        **{f"door.{door.value}": () for door in Door},
    }
)
