"""Who may add, see, mark done and hand on a follow-up, on SQLite and PostgreSQL and on the
rendered card: the leaver, the interviewer, the manager the leaver did not choose, HR, the
owner (a named colleague) and a stranger. Only the interviewer adds; the owner, the interviewer
and HR see the owner's card (only the owner with buttons); the leaver sees what was promised
on their thank-you; only the owner acts on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.cards.validator import assert_valid_cards
from tests.follow_ups.helpers import WHAT, add, form, held_task, store
from tests.helpers.journey import (
    HR,
    LEAVER,
    MANAGER,
    PARTNER,
    STRANGER,
    LiveApp,
    TeamsUser,
    actions_of,
    cards_of,
    texts_of,
    verbs_of,
)
from tests.helpers.live_service import live_service
from tests.survey.helpers import card_of

OWNER = TeamsUser(
    "user-id-4", "6f1d2c3b-0a4e-4b7f-9c21-3e5a7d9b1f02", "union.rep@contoso.example", "Lene"
)

# person: (may add, sees the owner's card, with its buttons, sees it on the thank-you)
TABLE: dict[str, tuple[TeamsUser, bool, bool, bool, bool]] = {
    "leaver": (LEAVER, False, False, False, True),
    "interviewer": (PARTNER, True, True, False, False),
    "manager, not chosen": (MANAGER, False, False, False, False),
    "hr": (HR, False, True, False, False),
    "owner": (OWNER, False, True, True, False),
    "stranger": (STRANGER, False, False, False, False),
}


async def _posted_anywhere(app: LiveApp, follow_up_id: str) -> dict[str, Any]:
    """The owner's card, in whichever chat the bot opened with them (the connector stand-in
    does not know this colleague's UPN, so the bot installs itself and opens a new chat)."""

    def posted() -> list[dict[str, Any]]:
        return [
            card
            for r in app.connector.requests
            if r.method == "POST" and isinstance(r.body, dict)
            for card in cards_of(r.body)
            if follow_up_id in str(card.get("refresh", ""))
        ]

    async def sent() -> bool:
        return bool(posted())

    await app.until(sent, what="the owner's card sent")
    return posted()[-1]


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[LiveApp]:
    async with live_service(database_url) as live:
        yield live


async def test_the_access_table_for_follow_ups(app: LiveApp) -> None:
    await app.say(OWNER, "help")
    departure_id, task = await held_task(app)
    _answer, [added] = await add(app, task, fu_owner="person", fu_person=OWNER.upn)
    assert added.owner_upn == OWNER.upn
    owner_card = await _posted_anywhere(app, added.id)
    [add_action] = [a for a in actions_of(task) if a["verb"] == "follow_up.add"]
    seen_cards = []
    for role, (user, may_add, sees, acts, on_thanks) in TABLE.items():
        # The rendered card each gets when Teams refreshes the owner's card for them.
        seen = card_of(await app.press(user, "follow_up.refresh", {"follow_up": added.id}))
        seen_cards.append(seen)
        assert (WHAT in texts_of(seen)) is sees, role
        assert ("follow_up.done" in verbs_of(seen)) is acts, role
        if not sees:
            assert app.text("follow_up.no_details") in texts_of(seen), role
        thanks = await app.press(user, "thanks.refresh", {"departure": departure_id})
        assert (WHAT in str(thanks)) is on_thanks, role
        # Adding: a second follow-up on the card drawn with one listed.
        data = {**add_action["data"], "known": 1, **form(app, fu_what=f"by {role}")}
        answer = await app.press(user, "follow_up.add", data)
        assert (answer["type"] == "application/vnd.microsoft.card.adaptive") is may_add, role
        if not acts:
            done = {"follow_up": added.id, "revision": added.revision, "fu_outcome": "x"}
            refused = await app.press(user, "follow_up.done", done)
            assert refused["value"] == app.text("follow_up.not_owner"), role
    listed = await store(app).of_departure(departure_id)
    assert sorted(f.what for f in listed) == sorted([WHAT, "by interviewer"])
    assert all(f.state == "open" for f in listed)

    done = await app.press_button(OWNER, owner_card, "follow_up.done", fu_outcome="Agreed")
    assert app.text("follow_up.done_note") in texts_of(card_of(done))
    assert_valid_cards([*seen_cards, card_of(done)])
