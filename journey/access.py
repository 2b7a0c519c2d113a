"""Who may see and do what on a departure: the leaver decides, and the content stays with them.

Seeds 001 and 002: the more the leaver trusts the person holding the conversation, the more
honest it is; seed 004: the leaver is offered the conversation, it is theirs. So the leaver
answers the offer, chooses who holds it and books it. The person they chose sees the task and
what follows. A manager the leaver did *not* choose learns that a departure is under way and
where it stands, nothing more: not whom the leaver chose, not when they meet, not why they
declined, and never what is said (seeds 001, 002, 004). HR sees where every departure stands
and whether the bot reached the leaver, so it can step in, but not the content either.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict

from journey.departure import Departure
from journey.refusals import Reason


class Role(StrEnum):
    """A person's part in one departure; a person can have several (an HR member who leaves)."""

    LEAVER = "leaver"
    INTERVIEWER = "interviewer"  # the person the leaver chose to hold the conversation
    MANAGER = "manager"  # the leaver's manager, when the leaver did not choose them
    HR = "hr"
    OTHER = "other"


class Act(StrEnum):
    """What can be seen or done on a departure."""

    VIEW_STATE = "view_state"  # that a departure exists, its last day and where it stands
    VIEW_BOOKING = "view_booking"  # who holds the conversation, when, the join link
    VIEW_REACH = "view_reach"  # whether the bot could reach the leaver
    VIEW_DECLINE_REASON = "view_decline_reason"
    VIEW_CONTENT = "view_content"  # what is said: notes, answers (later issues)
    VIEW_TASK = "view_task"  # the task card with the guide, in full
    ANSWER_OFFER = "answer_offer"  # accept, decline, ask later
    CHOOSE_INTERVIEWER = "choose_interviewer"
    BOOK = "book"  # pick a time, or say none fits
    CHANGE_BOOKING = "change_booking"  # reschedule or cancel a booked conversation
    PROPOSE_TIMES = "propose_times"  # the interviewer sends the leaver new times
    PASS_ON = "pass_on"  # the interviewer hands the conversation on to a colleague


_ALLOWED: Mapping[Role, frozenset[Act]] = MappingProxyType(
    {
        Role.LEAVER: frozenset(
            {
                Act.VIEW_STATE,
                Act.VIEW_BOOKING,
                Act.VIEW_DECLINE_REASON,
                Act.VIEW_CONTENT,
                Act.ANSWER_OFFER,
                Act.CHOOSE_INTERVIEWER,
                Act.BOOK,
                Act.CHANGE_BOOKING,
            }
        ),
        Role.INTERVIEWER: frozenset(
            {
                Act.VIEW_STATE,
                Act.VIEW_BOOKING,
                Act.VIEW_CONTENT,
                Act.VIEW_TASK,
                Act.CHANGE_BOOKING,
                Act.PROPOSE_TIMES,
                Act.PASS_ON,
            }
        ),
        Role.MANAGER: frozenset({Act.VIEW_STATE}),
        Role.HR: frozenset(
            {Act.VIEW_STATE, Act.VIEW_BOOKING, Act.VIEW_REACH, Act.VIEW_DECLINE_REASON}
        ),
        Role.OTHER: frozenset(),
    }
)


class Asker(BaseModel):
    """Who is asking: from the Teams activity, with the UPN the connector told."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: str  # the Teams user id, for the audit trail when the UPN is unknown
    upn: str | None = None
    is_hr: bool = False

    @property
    def audit_name(self) -> str:
        """How the audit log names this person."""
        return self.upn or f"teams:{self.user_id}"


def roles_of(departure: Departure, upn: str | None, *, is_hr: bool = False) -> frozenset[Role]:
    """Every role `upn` has in `departure` (OTHER when none)."""
    person = upn.strip().lower() if upn else None
    roles: set[Role] = set()
    if person is not None:
        if person == departure.leaver_upn:
            roles.add(Role.LEAVER)
        if person == departure.interviewer_upn:
            roles.add(Role.INTERVIEWER)
        elif person == departure.manager_upn:
            # A manager the leaver chose holds the conversation as its interviewer; one they
            # did not choose keeps only the manager's view.
            roles.add(Role.MANAGER)
    if is_hr and person is not None:
        roles.add(Role.HR)
    return frozenset(roles) or frozenset({Role.OTHER})


def allowed(roles: frozenset[Role], act: Act) -> bool:
    """Whether any of `roles` may do `act`."""
    return any(act in _ALLOWED[role] for role in roles)


# Whom an action is for, as a refusal tells it (journey.refusals.Reason). HR is named only
# where HR may act; a card for roles not listed is "not yours" without naming anyone.
_FOR: Mapping[frozenset[Role], Reason] = MappingProxyType(
    {
        frozenset({Role.LEAVER}): Reason.NOT_LEAVER,
        frozenset({Role.INTERVIEWER}): Reason.NOT_INTERVIEWER,
        frozenset({Role.LEAVER, Role.INTERVIEWER}): Reason.NOT_LEAVER_OR_INTERVIEWER,
        frozenset({Role.LEAVER, Role.MANAGER}): Reason.NOT_LEAVER_OR_MANAGER,
        frozenset({Role.MANAGER, Role.HR}): Reason.NOT_MANAGER_OR_HR,
        frozenset({Role.INTERVIEWER, Role.HR}): Reason.NOT_INTERVIEWER_OR_HR,
        frozenset({Role.HR}): Reason.NOT_HR,
    }
)


def refusal_for(*roles: Role) -> Reason:
    """Why someone without any of `roles` is refused an action that is theirs."""
    return _FOR.get(frozenset(roles), Reason.NOT_INVOLVED)


def refusal_for_act(act: Act) -> Reason:
    """Why someone may not do `act`: it is for the roles that may (see _ALLOWED)."""
    return refusal_for(*(role for role, acts in _ALLOWED.items() if act in acts))


def may(departure: Departure, asker: Asker, act: Act) -> bool:
    """Whether `asker` may do `act` on `departure`."""
    return allowed(roles_of(departure, asker.upn, is_hr=asker.is_hr), act)


def may_hand_over(departure: Departure, asker: Asker) -> bool:
    """Whether `asker` may see and tick the handover checklist: the leaver and their manager.

    Not by role: a manager the leaver chose as interviewer still hands over with them, and an
    interviewer who is not the manager has no part in the handover.
    """
    person = asker.upn.strip().lower() if asker.upn else None
    return person is not None and person in (departure.leaver_upn, departure.manager_upn)


def may_set_regret(departure: Departure, asker: Asker) -> bool:
    """Whether `asker` may mark the departure as regrettable: HR and the leaver's manager.

    Never the leaver (also not an HR member who leaves): the leaver never sees it.
    """
    person = asker.upn.strip().lower() if asker.upn else None
    if person is None or person == departure.leaver_upn:
        return False
    return asker.is_hr or person == departure.manager_upn
