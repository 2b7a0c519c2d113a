"""journey.leave_date_rules as a table: from what Entra shows and what was found before, the
next finding and the one act."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from journey.departure import Departure
from journey.leave_date_rules import Action, decide, entra_external_id, merged
from journey.leave_dates import EntraUser, Finding, FindingState, LeaveDateSettings

S = FindingState
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
D1, D2 = date(2026, 4, 10), date(2026, 4, 20)
FAR = date(2026, 9, 1)
PAST = date(2026, 2, 1)
UID = "00000000-0000-0000-0000-000000000001"
UPN = "user1@contoso.example"
CONFIRM = LeaveDateSettings(
    units_by_value={"Social og Sundhed": "social-care", "Teknik": "technical-services"},
    units=frozenset({"", "social-care"}),  # the organisation ("") and social care
    where={"companyName": "Contoso"},
)
AUTO = CONFIRM.model_copy(update={"mode": "auto"})
CANCEL = AUTO.model_copy(update={"when_cleared": "cancel"})
GROUPED = AUTO.model_copy(update={"group_id": "g"})


def entra(leave: date | None = D1, **changes: Any) -> EntraUser:
    values: dict[str, Any] = {
        "id": UID,
        "upn": UPN,
        "display_name": "User One",
        "leave_date": leave,
        "attributes": {"department": "Social og Sundhed", "companyName": "Contoso"},
    }
    values.update(changes)
    return EntraUser(**values)


def found(state: FindingState, leave: date | None = D1, **changes: Any) -> Finding:
    values: dict[str, Any] = {
        "user_id": UID,
        "upn": UPN,
        "name": "User One",
        "leave_date": leave,
        "unit": "social-care",
        "unit_value": "Social og Sundhed",
        "attributes": {"department": "Social og Sundhed", "companyName": "Contoso"},
        "state": state,
        "revision": 3,
        "seen_at": NOW,
    }
    values.update(changes)
    return Finding(**values)


def departure(ours: bool = True, day: date = D1, id: str = "dep1") -> Departure:
    return Departure(
        id=id,
        external_id=entra_external_id(UID) if ours else "hr-system-7",
        leaver_upn=UPN,
        leaver_name="User One",
        manager_upn="boss@contoso.example",
        unit="social-care",
        last_working_day=day,
        locale="da",
        time_zone="Europe/Copenhagen",
    )


OURS = departure()
OTHERS = departure(ours=False, id="dep9")
REG = found(S.REGISTERED, departure_id="dep1")
FABRIKAM = entra(attributes={"department": "Social og Sundhed", "companyName": "Fabrikam"})
KANTINE = entra(attributes={"department": "Kantine", "companyName": "Contoso"})
TEKNIK = entra(attributes={"department": "Teknik", "companyName": "Contoso"})

# pytest.param(settings, stored, read, in_group, active, next state, act, count, id=why)
CASES = [
    pytest.param(
        CONFIRM,
        None,
        entra(),
        None,
        None,
        S.TO_CONFIRM,
        Action.NONE,
        "to_confirm",
        id="new, confirm: proposed",
    ),
    pytest.param(
        AUTO,
        None,
        entra(),
        None,
        None,
        S.REGISTERED,
        Action.REGISTER,
        None,
        id="new, auto: registered",
    ),
    pytest.param(
        AUTO,
        None,
        entra(None),
        None,
        None,
        None,
        Action.NONE,
        None,
        id="no leave date, never seen: nothing kept",
    ),
    pytest.param(
        AUTO, None, FABRIKAM, None, None, S.GONE, Action.NONE, "skipped", id="outside the filter"
    ),
    pytest.param(
        GROUPED, None, entra(), False, None, S.GONE, Action.NONE, "skipped", id="outside the group"
    ),
    pytest.param(
        GROUPED, None, entra(), True, None, S.REGISTERED, Action.REGISTER, None, id="in the group"
    ),
    pytest.param(
        AUTO,
        None,
        KANTINE,
        None,
        None,
        S.NO_UNIT,
        Action.NONE,
        "no_unit",
        id="unit not mapped: HR picks",
    ),
    pytest.param(
        AUTO, None, TEKNIK, None, None, S.GONE, Action.NONE, "skipped", id="unit not taking Entra"
    ),
    pytest.param(
        AUTO, None, entra(FAR), None, None, S.AHEAD, Action.NONE, None, id="beyond the look-ahead"
    ),
    pytest.param(
        AUTO,
        found(S.AHEAD),
        entra(),
        None,
        None,
        S.REGISTERED,
        Action.REGISTER,
        None,
        id="ahead comes within",
    ),
    pytest.param(
        AUTO, None, entra(PAST), None, None, S.GONE, Action.NONE, "skipped", id="in the past"
    ),
    pytest.param(
        CONFIRM, REG, entra(D2), None, OURS, S.REGISTERED, Action.REGISTER, None, id="moved, ours"
    ),
    pytest.param(
        AUTO, REG, entra(), None, OURS, S.REGISTERED, Action.NONE, None, id="unchanged, ours"
    ),
    pytest.param(
        AUTO, REG, entra(None), None, OURS, S.TO_CANCEL, Action.NONE, "to_cancel", id="cleared, ask"
    ),
    pytest.param(
        CANCEL, REG, entra(None), None, OURS, S.GONE, Action.CANCEL, None, id="cleared, cancel"
    ),
    pytest.param(
        CANCEL,
        found(S.REGISTERED, departure_id="dep9"),
        entra(None),
        None,
        OTHERS,
        S.TO_CANCEL,
        Action.NONE,
        "to_cancel",
        id="cleared, cancel, linked: HR asked",
    ),
    pytest.param(
        AUTO,
        found(S.TO_CONFIRM),
        entra(None),
        None,
        None,
        S.GONE,
        Action.NONE,
        None,
        id="cleared before HR confirmed",
    ),
    pytest.param(
        CONFIRM,
        found(S.GONE, None, departure_id="dep1"),
        entra(D2),
        None,
        None,
        S.TO_CONFIRM,
        Action.NONE,
        "to_confirm",
        id="re-set after a cancel, confirm",
    ),
    pytest.param(
        AUTO,
        found(S.GONE, None, departure_id="dep1"),
        entra(D2),
        None,
        None,
        S.REGISTERED,
        Action.REGISTER,
        None,
        id="re-set after a cancel, auto",
    ),
    pytest.param(
        AUTO,
        found(S.TO_CANCEL, None, departure_id="dep1"),
        entra(D2),
        None,
        OURS,
        S.REGISTERED,
        Action.REGISTER,
        None,
        id="re-set while HR is asked",
    ),
    pytest.param(
        CONFIRM,
        None,
        entra(),
        None,
        OTHERS,
        S.REGISTERED,
        Action.LINK,
        None,
        id="another door registered: link",
    ),
    pytest.param(
        AUTO,
        None,
        entra(),
        None,
        OURS,
        S.REGISTERED,
        Action.REGISTER,
        None,
        id="ours, finding lost: register finds it",
    ),
    pytest.param(
        AUTO,
        found(S.DISMISSED),
        entra(),
        None,
        None,
        S.DISMISSED,
        Action.NONE,
        None,
        id="dismissed, same date",
    ),
    pytest.param(
        CONFIRM,
        found(S.DISMISSED),
        entra(D2),
        None,
        None,
        S.TO_CONFIRM,
        Action.NONE,
        "to_confirm",
        id="dismissed, new date asks again",
    ),
    pytest.param(
        AUTO,
        found(S.DISMISSED),
        entra(D2),
        None,
        None,
        S.TO_CONFIRM,
        Action.NONE,
        "to_confirm",
        id="dismissed, new date, auto: asked, not registered",
    ),
    pytest.param(
        CONFIRM,
        found(S.DISMISSED),
        entra(None),
        None,
        None,
        S.DISMISSED,
        Action.NONE,
        None,
        id="dismissed, cleared: stays",
    ),
    pytest.param(
        AUTO,
        found(S.NOT_REGISTERED, problem="register.no_manager"),
        entra(),
        None,
        None,
        S.NOT_REGISTERED,
        Action.NONE,
        None,
        id="refused, nothing changed",
    ),
    pytest.param(
        AUTO,
        found(S.NOT_REGISTERED, problem="register.no_manager"),
        entra(D2),
        None,
        None,
        S.REGISTERED,
        Action.REGISTER,
        None,
        id="refused, date changed: again",
    ),
    pytest.param(
        AUTO,
        REG,
        entra(),
        None,
        None,
        S.REGISTERED,
        Action.NONE,
        None,
        id="ours ended on the date: nothing new",
    ),
    pytest.param(
        CANCEL,
        REG,
        EntraUser(id=UID, removed=True),
        None,
        OURS,
        S.REGISTERED,
        Action.NONE,
        "skipped",
        id="removed: the departure stays",
    ),
]


@pytest.mark.parametrize(
    ("settings", "stored", "read", "in_group", "active", "state", "action", "count"),
    CASES,
)
def test_decide(
    settings: LeaveDateSettings,
    stored: Finding | None,
    read: EntraUser,
    in_group: bool | None,
    active: Departure | None,
    state: FindingState | None,
    action: Action,
    count: str | None,
) -> None:
    decision = decide(
        stored,
        merged(stored, read),
        settings,
        today=TODAY,
        now=NOW,
        in_group=in_group,
        active=active,
    )

    assert (decision.finding.state if decision.finding else None) == state
    assert (decision.action, decision.count) == (action, count)


def test_a_link_keeps_the_departures_id_and_raises_the_revision() -> None:
    decision = decide(
        found(S.TO_CONFIRM), merged(None, entra()), CONFIRM, today=TODAY, now=NOW, active=OTHERS
    )
    assert decision.finding is not None and decision.finding.departure_id == "dep9"


def test_the_revision_rises_only_when_something_but_the_time_seen_changed() -> None:
    later = datetime(2026, 3, 3, tzinfo=UTC)
    same = decide(REG, merged(REG, entra()), AUTO, today=TODAY, now=later, active=OURS)
    moved = decide(REG, merged(REG, entra(D2)), AUTO, today=TODAY, now=later, active=OURS)
    assert same.finding is not None and same.finding.revision == REG.revision
    assert same.finding.seen_at == later
    assert moved.finding is not None and moved.finding.revision == REG.revision + 1


def test_a_partial_delta_entry_keeps_what_it_left_out() -> None:
    stored = found(S.REGISTERED, departure_id="dep1", preferred_language="da-DK")
    partial = EntraUser(id=UID, leave_date_given=False, attributes={"companyName": "Contoso"})

    seen = merged(stored, partial)

    assert (seen.upn, seen.name, seen.leave_date) == (UPN, "User One", D1)
    assert seen.attributes["department"] == "Social og Sundhed"
    assert seen.preferred_language == "da-DK"
    cleared = merged(stored, EntraUser(id=UID, leave_date=None))
    assert cleared.leave_date is None and cleared.upn == UPN
