"""What a leave date in Entra ID means for a departure: the pure rules of the check.

journey.leave_date_check reads a user from Entra, the stored Finding, and the person's active
departure, and asks `decide` for the next Finding and the one act to do: nothing, register (or
move the finding's departure to the leave date), link to a departure another door made, or
cancel. Proposing to HR (TO_CONFIRM), a unit not mapped (NO_UNIT, never guessed), asking HR to
cancel (TO_CANCEL), leave dates too far ahead (AHEAD) and users outside the filter are states
of the finding only. Nothing here reads or writes anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from journey.departure import Departure
from journey.leave_dates import EntraUser, Finding, FindingState, LeaveDateSettings

_State = FindingState
# The prefix of the external id of every departure the check registers: `entra:<object id>`,
# so a retry finds it instead of registering a second one.
EXTERNAL_ID_PREFIX = "entra:"
# Audit actions of the check besides the registration service's own.
AUDIT_LINKED = "departure.linked"
AUDIT_DISMISSED = "leave_date.dismissed"
AUDIT_KEPT = "leave_date.kept"


class Action(StrEnum):
    """The one act a decision asks of the check."""

    NONE = "none"
    REGISTER = "register"  # register a departure, or move the finding's to the leave date
    LINK = "link"  # a departure another door registered: link to it, never a second one
    CANCEL = "cancel"  # the leave date was cleared (when_cleared: cancel)


@dataclass(frozen=True)
class Decision:
    """The next finding (None: nothing worth keeping) and the act; `count` names the
    CheckReport count this adds to when the act has no outcome of its own."""

    finding: Finding | None
    action: Action = Action.NONE
    count: str | None = None


@dataclass(frozen=True)
class Seen:
    """A user as read, merged with what the finding kept (a delta entry may be partial)."""

    user_id: str
    upn: str
    name: str
    leave_date: date | None
    preferred_language: str | None
    attributes: Mapping[str, str] = field(default_factory=dict)
    removed: bool = False

    def unit_value(self, settings: LeaveDateSettings) -> str:
        return self.attributes.get(settings.unit_attribute, "")


def entra_external_id(user_id: str) -> str:
    """The external id of the first departure the check registers for an Entra user."""
    return f"{EXTERNAL_ID_PREFIX}{user_id}"


def is_ours(departure: Departure, user_id: str) -> bool:
    """Whether the check registered `departure` for this user (else another door did)."""
    own = entra_external_id(user_id)
    external = departure.external_id or ""
    return external == own or external.startswith(own + ":")


def merged(stored: Finding | None, user: EntraUser) -> Seen:
    """The user as read, with what a partial delta entry left out taken from the finding: a
    leave date not given, a missing attribute, an empty UPN or name mean "unchanged"."""
    kept_attributes = dict(stored.attributes) if stored else {}
    return Seen(
        user_id=user.id,
        upn=(user.upn or (stored.upn if stored else "")).lower(),
        name=user.display_name or (stored.name if stored else ""),
        leave_date=user.leave_date
        if user.leave_date_given and not user.removed
        else (stored.leave_date if stored else None),
        preferred_language=user.preferred_language
        or (stored.preferred_language if stored else None),
        attributes={**kept_attributes, **user.attributes},
        removed=user.removed,
    )


def unread(finding: Finding) -> EntraUser:
    """A finding as a delta entry that changed nothing, to decide it again (AHEAD ones)."""
    return EntraUser(id=finding.user_id, leave_date_given=False)


def cleared(finding: Finding) -> EntraUser:
    """A finding whose leave date a full read no longer shows: its date was cleared."""
    return EntraUser(id=finding.user_id, leave_date=None)


def matches_filter(seen: Seen, settings: LeaveDateSettings) -> bool:
    """Whether every `where` attribute holds (compared without case or surrounding spaces)."""
    return all(
        _same(seen.attributes.get(name, ""), wanted) for name, wanted in settings.where.items()
    )


def group_matters(stored: Finding | None, seen: Seen, settings: LeaveDateSettings) -> bool:
    """Whether the decision needs the group membership (ask the directory only then)."""
    return (
        settings.group_id is not None
        and not seen.removed
        and seen.leave_date is not None
        and matches_filter(seen, settings)
    )


def decide(
    stored: Finding | None,
    seen: Seen,
    settings: LeaveDateSettings,
    *,
    today: date,
    now: datetime,
    in_group: bool | None = None,
    active: Departure | None = None,
) -> Decision:
    """The next finding and act for one user.

    `active` is the person's departure that is neither closed nor cancelled, if any;
    `in_group` is asked only when group_matters says so (None otherwise).
    """
    if stored is None and seen.leave_date is None:
        return Decision(None)
    tied = (
        stored is not None
        and stored.departure_id is not None
        and active is not None
        and active.id == stored.departure_id
    )
    if seen.removed:  # deleted in Entra: whatever runs stays as it is
        return (
            Decision(None)
            if stored is None
            else _out_of_scope(stored, seen, settings, now, tied=tied)
        )
    if seen.leave_date is None:
        assert stored is not None
        return _cleared(stored, seen, settings, now, tied=tied, active=active)
    if not _in_scope(seen, settings, in_group):
        return _out_of_scope(stored, seen, settings, now, tied=tied)
    dismissed = stored is not None and stored.state is _State.DISMISSED
    if dismissed and stored is not None and stored.leave_date == seen.leave_date:
        return Decision(_next(stored, seen, settings, now, _State.DISMISSED))
    if tied:
        return _registered(stored, seen, settings, now, active)
    if active is not None:
        state = _next(stored, seen, settings, now, _State.REGISTERED, departure_id=active.id)
        if is_ours(active, seen.user_id):  # made by an earlier try whose finding was not saved
            return Decision(state, Action.REGISTER)
        return Decision(state, Action.LINK)
    return _new(stored, seen, settings, today, now)


def _new(
    stored: Finding | None, seen: Seen, settings: LeaveDateSettings, today: date, now: datetime
) -> Decision:
    """A leave date for someone with no running departure."""
    day = seen.leave_date
    assert day is not None
    ended = stored is not None and stored.departure_id and stored.leave_date == day
    if ended and stored is not None and stored.state in {_State.REGISTERED, _State.GONE}:
        # Its departure ended (closed, or cancelled by HR elsewhere) at this same date.
        return Decision(_next(stored, seen, settings, now, stored.state))
    if day < today:
        return Decision(_next(stored, seen, settings, now, _State.GONE), count="skipped")
    if day > today + timedelta(days=settings.look_ahead_days):
        return Decision(_next(stored, seen, settings, now, _State.AHEAD))
    unit = settings.unit_for(seen.attributes)
    if unit is None:
        finding = _next(stored, seen, settings, now, _State.NO_UNIT)
        return Decision(finding, count=_if_changed(stored, finding, "no_unit"))
    refused = stored is not None and stored.state is _State.NOT_REGISTERED
    if refused and stored is not None and (stored.leave_date, stored.unit) == (day, unit):
        # Refused already, and nothing changed: HR's card offers to try again.
        return Decision(_next(stored, seen, settings, now, _State.NOT_REGISTERED))
    # HR said no to this person's earlier leave date: a new one is asked again, also in auto.
    asked_before = stored is not None and stored.state is _State.DISMISSED
    if settings.mode == "auto" and not asked_before:
        return Decision(_next(stored, seen, settings, now, _State.REGISTERED), Action.REGISTER)
    finding = _next(stored, seen, settings, now, _State.TO_CONFIRM)
    return Decision(finding, count=_if_changed(stored, finding, "to_confirm"))


def _registered(
    stored: Finding | None,
    seen: Seen,
    settings: LeaveDateSettings,
    now: datetime,
    active: Departure | None,
) -> Decision:
    """A leave date for someone whose departure the finding holds (made or linked)."""
    assert stored is not None and active is not None
    if stored.leave_date == seen.leave_date and stored.state is not _State.TO_CANCEL:
        return Decision(_next(stored, seen, settings, now, stored.state))
    # Moved in Entra (or set again after HR was asked to cancel): the departure follows.
    finding = _next(stored, seen, settings, now, _State.REGISTERED)
    if active.last_working_day == seen.leave_date:
        return Decision(finding)
    return Decision(finding, Action.REGISTER)


def _cleared(
    stored: Finding,
    seen: Seen,
    settings: LeaveDateSettings,
    now: datetime,
    *,
    tied: bool,
    active: Departure | None,
) -> Decision:
    """The leave date was cleared in Entra (or a full read no longer shows it)."""
    if stored.state is _State.DISMISSED:  # the dismissed date stays, so it stays dismissed
        return Decision(_next(stored, seen, settings, now, _State.DISMISSED, day=stored.leave_date))
    if stored.state is _State.TO_CANCEL:
        return Decision(_next(stored, seen, settings, now, _State.TO_CANCEL))
    if tied and stored.state in {_State.REGISTERED, _State.NOT_REGISTERED}:
        assert active is not None
        # Cancelled at once only when the check made it; a departure HR registered through
        # another door is HR's to cancel.
        if settings.when_cleared == "cancel" and is_ours(active, seen.user_id):
            return Decision(_next(stored, seen, settings, now, _State.GONE), Action.CANCEL)
        finding = _next(stored, seen, settings, now, _State.TO_CANCEL)
        return Decision(finding, count=_if_changed(stored, finding, "to_cancel"))
    return Decision(_next(stored, seen, settings, now, _State.GONE))


def _out_of_scope(
    stored: Finding | None, seen: Seen, settings: LeaveDateSettings, now: datetime, *, tied: bool
) -> Decision:
    """Outside the filter, the group or the units taking Entra, or removed: nothing new is
    registered; a running departure stays as it is."""
    keep = {_State.DISMISSED} | ({stored.state} if tied and stored is not None else set())
    state = stored.state if stored is not None and stored.state in keep else _State.GONE
    return Decision(_next(stored, seen, settings, now, state), count="skipped")


def _in_scope(seen: Seen, settings: LeaveDateSettings, in_group: bool | None) -> bool:
    if seen.removed or not seen.upn or not matches_filter(seen, settings):
        return False
    if settings.group_id is not None and not in_group:
        return False
    if not settings.units:
        return True
    # A leaver whose value maps to no unit is HR's to place only when the organisation itself
    # takes departures from Entra (""); else they belong to the doors HR uses by hand.
    return (settings.unit_for(seen.attributes) or "") in settings.units


def _next(
    stored: Finding | None,
    seen: Seen,
    settings: LeaveDateSettings,
    now: datetime,
    state: FindingState,
    *,
    departure_id: str | None = None,
    day: date | None = None,
) -> Finding:
    """The finding in `state` as last seen; the revision rises when anything but the time
    seen changed."""
    unit = settings.unit_for(seen.attributes)
    if (
        stored is not None
        and stored.departure_id
        and state
        in {
            _State.REGISTERED,
            _State.TO_CANCEL,
            _State.NOT_REGISTERED,
        }
    ):
        unit = stored.unit or unit  # the departure's unit, however it was chosen
    keep_problem = stored is not None and state is stored.state is _State.NOT_REGISTERED
    finding = Finding(
        user_id=seen.user_id,
        upn=seen.upn,
        name=seen.name,
        leave_date=day if day is not None else seen.leave_date,
        unit=unit,
        unit_value=seen.unit_value(settings),
        preferred_language=seen.preferred_language,
        attributes=dict(seen.attributes),
        state=state,
        problem=stored.problem if keep_problem and stored is not None else None,
        departure_id=departure_id or (stored.departure_id if stored else None),
        revision=stored.revision if stored else 0,
        seen_at=now,
    )
    return with_revision(stored, finding)


def with_revision(stored: Finding | None, finding: Finding) -> Finding:
    """`finding` at the stored revision when nothing but the time seen changed, else one up."""
    if stored is None:
        return finding.model_copy(update={"revision": 0})
    if _content(stored) == _content(finding):
        return finding.model_copy(update={"revision": stored.revision})
    return finding.model_copy(update={"revision": stored.revision + 1})


def _content(finding: Finding) -> dict[str, object]:
    return finding.model_dump(exclude={"revision", "seen_at"})


def _if_changed(stored: Finding | None, finding: Finding, count: str) -> str | None:
    return count if stored is None or _content(stored) != _content(finding) else None


def _same(value: str, wanted: str) -> bool:
    return value.strip().casefold() == wanted.strip().casefold()
