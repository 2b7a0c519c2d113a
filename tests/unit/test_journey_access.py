"""Who may see and do what on a departure: the leaver decides, the content stays with them."""

from __future__ import annotations

from datetime import date

import pytest

from journey.access import Act, Asker, Role, allowed, may, roles_of
from journey.departure import Departure
from journey.survey import Attribution
from journey.survey_access import readable

LEAVER, MANAGER, PARTNER, HR, STRANGER = (
    "lea@contoso.example",
    "mads@contoso.example",
    "peter@contoso.example",
    "hanne@contoso.example",
    "someone@contoso.example",
)


def departure(interviewer: str | None = PARTNER) -> Departure:
    return Departure(
        leaver_upn=LEAVER,
        manager_upn=MANAGER,
        unit="social-care",
        last_working_day=date(2026, 12, 18),
        interviewer_upn=interviewer,
    )


# Every act, and which roles may do it. A change here is a change of the privacy promise.
TABLE: dict[Act, set[Role]] = {
    Act.VIEW_STATE: {Role.LEAVER, Role.INTERVIEWER, Role.MANAGER, Role.HR},
    Act.VIEW_BOOKING: {Role.LEAVER, Role.INTERVIEWER, Role.HR},
    Act.VIEW_REACH: {Role.HR},
    Act.VIEW_DECLINE_REASON: {Role.LEAVER, Role.HR},
    Act.VIEW_CONTENT: {Role.LEAVER, Role.INTERVIEWER},
    Act.VIEW_TASK: {Role.INTERVIEWER},
    Act.ANSWER_OFFER: {Role.LEAVER},
    Act.CHOOSE_INTERVIEWER: {Role.LEAVER},
    Act.BOOK: {Role.LEAVER},
    Act.CHANGE_BOOKING: {Role.LEAVER, Role.INTERVIEWER},
    Act.PROPOSE_TIMES: {Role.INTERVIEWER},
    Act.PASS_ON: {Role.INTERVIEWER},
}


@pytest.mark.parametrize("act", list(Act))
@pytest.mark.parametrize("role", list(Role))
def test_the_access_table(role: Role, act: Act) -> None:
    assert allowed(frozenset({role}), act) is (role in TABLE[act])


def test_every_act_is_in_the_table() -> None:
    assert set(TABLE) == set(Act)


def test_a_manager_the_leaver_did_not_choose_sees_only_where_it_stands() -> None:
    chosen_someone_else = departure(interviewer=PARTNER)
    manager = Asker(user_id="29:mads", upn=MANAGER)
    assert roles_of(chosen_someone_else, MANAGER) == {Role.MANAGER}
    assert may(chosen_someone_else, manager, Act.VIEW_STATE)
    for act in (Act.VIEW_BOOKING, Act.VIEW_CONTENT, Act.VIEW_TASK, Act.VIEW_DECLINE_REASON):
        assert not may(chosen_someone_else, manager, act)


def test_a_manager_the_leaver_chose_holds_the_conversation() -> None:
    chosen_manager = departure(interviewer=MANAGER)
    manager = Asker(user_id="29:mads", upn=MANAGER.upper())
    assert roles_of(chosen_manager, MANAGER) == {Role.INTERVIEWER}
    assert may(chosen_manager, manager, Act.VIEW_TASK)
    assert may(chosen_manager, manager, Act.VIEW_CONTENT)


def test_the_leaver_decides_and_nobody_else() -> None:
    case = departure(interviewer=None)
    for upn, is_hr in ((MANAGER, False), (PARTNER, False), (HR, True), (STRANGER, False)):
        asker = Asker(user_id="29:x", upn=upn, is_hr=is_hr)
        assert not may(case, asker, Act.ANSWER_OFFER)
        assert not may(case, asker, Act.BOOK)
    assert may(case, Asker(user_id="29:lea", upn=LEAVER), Act.ANSWER_OFFER)


def test_hr_sees_reach_but_never_the_content() -> None:
    hr = Asker(user_id="29:hanne", upn=HR, is_hr=True)
    assert may(departure(), hr, Act.VIEW_REACH)
    assert not may(departure(), hr, Act.VIEW_CONTENT)
    assert not may(departure(), hr, Act.VIEW_TASK)


def test_an_hr_member_who_leaves_has_both_roles() -> None:
    own = Departure(
        leaver_upn=HR, manager_upn=MANAGER, unit="", last_working_day=date(2026, 12, 18)
    )
    assert roles_of(own, HR, is_hr=True) == {Role.LEAVER, Role.HR}
    assert may(own, Asker(user_id="29:hanne", upn=HR, is_hr=True), Act.BOOK)


def test_someone_without_a_known_upn_is_nobody() -> None:
    assert roles_of(departure(), None, is_hr=True) == {Role.OTHER}
    assert not may(departure(), Asker(user_id="29:?"), Act.VIEW_STATE)


def test_the_answers_follow_whoever_holds_the_conversation() -> None:
    """A change of person or a handover (journey.plan_changes) moves the shared answers."""
    lene = "lene@contoso.example"
    before = departure(interviewer=PARTNER)
    after = before.changed(interviewer_upn=lene)
    shared = {Attribution.NAMED, Attribution.INTERVIEWER_ONLY}
    assert readable(roles_of(before, PARTNER)) == shared
    assert readable(roles_of(after, PARTNER)) == frozenset()
    assert readable(roles_of(after, lene)) == shared
    assert not may(after, Asker(user_id="29:peter", upn=PARTNER), Act.VIEW_TASK)
