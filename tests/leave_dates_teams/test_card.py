"""HR's card of leave dates from Entra ID stays under Teams' size limit however long the list
(a first check may find 300), every leave date is on exactly one page, and each kind of row
offers what HR can do with it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cards.leave_dates import LeaveDatesView, leave_dates_card
from cards.locale import Speaker
from config.loader import LoadedConfig, default_config_dir, load_config
from journey.leave_dates import CheckStatus, Finding, FindingState
from tests.cards.validator import assert_valid_card
from tests.helpers.journey import actions_of, texts_of

TEAMS_LIMIT = 28 * 1024  # bytes of a message with its card
SEEN = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Copenhagen")


@pytest.fixture(scope="module")
def config() -> LoadedConfig:
    return load_config(default_config_dir())


def many(count: int) -> list[Finding]:
    """`count` leave dates with long names, every third one with a department naming no unit."""
    states = [FindingState.TO_CONFIRM, FindingState.NO_UNIT, FindingState.NOT_REGISTERED]
    return [
        Finding(
            user_id=f"{n:08d}-0000-4000-8000-{n:012d}",
            upn=f"person.number.{n}@contoso.example",
            name=f"Anne-Mette Kristine Østergaard-Vestergaard Nr. {n}",
            leave_date=date(2026, 12, 1) + timedelta(days=n // 5),
            state=states[n % 3],
            unit=None if n % 3 == 1 else "social-care",
            unit_value="Afdelingen for Sundhed, Ældre og Handicap – Distrikt Nord" if n % 3 else "",
            problem="register.no_manager" if n % 3 == 2 else None,
            revision=n,
            seen_at=SEEN,
        )
        for n in range(count)
    ]


def pages(say: Speaker, view: LeaveDatesView) -> list[dict[str, Any]]:
    """Every page of the card, by its Next button, as HR would leaf through them."""
    cards = [leave_dates_card(say, view)]
    while True:
        ahead = [a for a in cards[-1].get("actions", []) if a["title"] == say("status.hr_next")]
        if not ahead:
            return cards
        start = ahead[0]["data"]["start"]
        cards.append(leave_dates_card(say, LeaveDatesView(**{**view.__dict__, "start": start})))


def test_300_leave_dates_with_40_units_page_under_the_limit_each_once(
    config: LoadedConfig,
) -> None:
    say = Speaker(config, "da")
    units = [(f"unit-{n}", f"Enheden for noget med et langt navn nummer {n}") for n in range(40)]
    findings = many(300)
    view = LeaveDatesView(findings=findings, status=CheckStatus(), units=units, zone=ZONE)

    cards = pages(say, view)

    sizes = [len(json.dumps(card, ensure_ascii=False).encode()) for card in cards]
    assert max(sizes) < TEAMS_LIMIT, sizes
    shown = [
        action["data"]["user"]
        for card in cards
        for action in actions_of(card)
        if action["verb"] == "leave_dates.dismiss"
    ]
    assert shown == [f.user_id for f in findings]  # each once, soonest first
    assert_valid_card(cards[1])
    # The range line tells HR where they are.
    assert say("status.hr_range", first=1, last=len(shown_on(cards[0])), total=300) in texts_of(
        cards[0]
    )


def shown_on(card: dict[str, Any]) -> list[str]:
    return [a["data"]["user"] for a in actions_of(card) if a["verb"] == "leave_dates.dismiss"]


def test_register_all_names_each_ready_row_of_the_page_at_its_revision(
    config: LoadedConfig,
) -> None:
    say = Speaker(config, "en")
    findings = many(9)
    view = LeaveDatesView(findings=findings, status=CheckStatus(), units=[], zone=ZONE)
    card = leave_dates_card(say, view)
    [register_all] = [a for a in actions_of(card) if a["verb"] == "leave_dates.confirm_all"]
    ready = [f for f in findings if f.state is FindingState.TO_CONFIRM]
    assert register_all["title"] == f"Register all {len(ready)}"
    named = {item["user"]: item["revision"] for item in register_all["data"]["items"]}
    assert {f.user_id: f.revision for f in ready}.items() <= named.items()
    # A row without a unit joins in only with the unit HR picks in its own list.
    no_unit = [i for i in register_all["data"]["items"] if "pick" in i]
    assert len(no_unit) == sum(1 for f in findings if f.state is FindingState.NO_UNIT)


@pytest.mark.parametrize(
    ("failure", "key"),
    [("not_allowed", "leave_dates.not_allowed"), ("unavailable", "leave_dates.unavailable")],
)
def test_a_failed_check_says_why_and_what_happens(
    config: LoadedConfig, failure: str, key: str
) -> None:
    say = Speaker(config, "en")
    status = CheckStatus(failure=failure, failed_at=SEEN)  # type: ignore[arg-type]
    card = leave_dates_card(say, LeaveDatesView(findings=[], status=status, units=[], zone=ZONE))
    text = texts_of(card)
    assert say(key, at=say.moment(SEEN, ZONE)) in text
    if failure == "not_allowed":
        assert "User-LifeCycleInfo.Read.All" in text and "docs/operations.md" in text
    assert say("leave_dates.none") in text
