"""A follow-up whose text retention erased (storage.anonymise blanks it) says so on the lists,
in each language, instead of an empty line (seen in the demo, whose older half is anonymised)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from cards.follow_up_lists import follow_up_lists_card
from cards.locale import Speaker
from config.loader import default_config_dir, load_config
from journey.follow_up_lists import FollowUpPage, Listed, UnitTally
from journey.locale import SUPPORTED_LANGUAGES

CONFIG = load_config(default_config_dir())


def _page(what: str) -> FollowUpPage:
    item = Listed(
        unit="home-care",
        area="relations",
        what=what,
        owner_kind="manager",
        due_on=date(2026, 11, 2),
        overdue=True,
    )
    tally = (UnitTally(unit="home-care", open=1, overdue=1),)
    return FollowUpPage(tallies=tally, items=(item,), page=0, pages=1, own=(), own_more=0)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_an_erased_text_is_said_to_be_erased(language: str) -> None:
    say = Speaker(CONFIG, language, "home-care")
    card = json.dumps(follow_up_lists_card(say, _page(""), sees_units=True, hr=True))
    assert json.dumps(say("follow_up_lists.erased"))[1:-1] in card
    kept = json.dumps(follow_up_lists_card(say, _page("Ny vagtplan"), sees_units=True, hr=True))
    assert "Ny vagtplan" in kept and json.dumps(say("follow_up_lists.erased"))[1:-1] not in kept
