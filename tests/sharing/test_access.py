"""Who reads a shared summary (issue 14), on SQLite and PostgreSQL, on the real app: only those
the leaver chose, each read audited without the text; everyone else is refused and audited;
a withdrawal empties the readers' cards; after the last day the choice is final."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from typing import Any

import pytest

from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import (
    HR,
    LEAVER,
    MANAGER,
    PARTNER,
    STRANGER,
    LiveApp,
    TeamsUser,
    texts_of,
    verbs_of,
)
from tests.helpers.live_service import live_service
from tests.sharing.helpers import (
    ADVICE,
    HIRING,
    REP,
    SUMMARY,
    audited,
    choice,
    notices_to,
    ready_to_share,
    stored,
)
from tests.survey.helpers import card_of, connector_bodies

NOT_READERS = (LEAVER, PARTNER, REP, HR, STRANGER)


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[LiveApp]:
    async with live_service(database_url) as live:
        for person in (HIRING, REP):  # the connector knows them as Teams members
            live.connector.members[person.user_id] = person.member()
        yield live


async def read(app: LiveApp, person: TeamsUser, departure_id: str) -> dict[str, Any]:
    """The reader's refresh (or the Show button): the card as that person may see it."""
    return card_of(await app.press(person, "sharing.read", {"departure": departure_id}))


async def test_only_those_the_leaver_chose_read_it_and_every_read_is_audited(
    app: LiveApp,
) -> None:
    departure, card = await ready_to_share(app)
    # Nothing is shared until the leaver chooses: both toggles off, no card to anyone.
    toggles = {i["id"]: i["value"] for i in card["body"] if i["type"] == "Input.Toggle"}
    off = {"with_manager": "false", "with_hiring_manager": "false", "answers_included": "false"}
    assert toggles == off
    for person in (MANAGER, HIRING):
        assert app.text("sharing.nothing") in texts_of(await read(app, person, departure.id))
    assert await audited(app, departure.id, "shared_summary.read") == []

    saved = card_of(await app.press_button(LEAVER, card, "sharing.choose", **choice()))
    assert app.text("sharing.status_shared") in texts_of(saved)
    await app.until(lambda: _told(app, MANAGER), what="the manager is told")
    # The manager is told once, with a card that carries no text (only their refresh does).
    [notice] = notices_to(app, MANAGER)
    assert notice["refresh"]["userIds"] == [MANAGER.user_id]
    assert notices_to(app, HIRING) == []  # named by HR, but not chosen
    for words in (SUMMARY, ADVICE):
        assert words not in connector_bodies(app, MANAGER.conversation)

    mine = await read(app, MANAGER, departure.id)
    runs = [i["text"] for b in mine["body"] if b["type"] == "RichTextBlock" for i in b["inlines"]]
    assert SUMMARY in runs and ADVICE in runs  # exactly as written, no markdown
    assert mine["refresh"]["userIds"] == [MANAGER.user_id]
    # Anyone else: the card without anything about the leaver, refused and audited.
    for person in (HIRING, *NOT_READERS):
        other = await read(app, person, departure.id)
        assert SUMMARY not in texts_of(other) and ADVICE not in texts_of(other), person
        assert texts_of(other) == texts_of(await read(app, STRANGER, departure.id))
    refused = await audited(app, departure.id, "shared_summary.refused")
    assert {e.actor for e in refused} >= {p.upn for p in (HIRING, *NOT_READERS)}
    assert {e.detail["reason"] for e in refused} == {"not_shared"}
    [read_entry] = await audited(app, departure.id, "shared_summary.read")
    assert (read_entry.actor, read_entry.detail["reader"]) == (MANAGER.upn, "manager")
    # HR sees that a share exists and with whom, never the text.
    hr = card_of(await app.press(HR, "sharing.hr", {"departure": departure.id}))
    assert SUMMARY not in texts_of(hr) and ADVICE not in texts_of(hr)
    assert app.text("sharing.hr_with_manager") in texts_of(hr)

    # The leaver adds the hiring manager: Erik is told (in Swedish), and reads it.
    both = card_of(
        await app.press_button(
            LEAVER, saved, "sharing.choose", **choice(with_hiring_manager="true")
        )
    )
    await app.until(lambda: _told(app, HIRING), what="the hiring manager is told")
    assert len(notices_to(app, MANAGER)) == 1  # nothing changed for the manager: not again
    erik = await read(app, HIRING, departure.id)
    assert ADVICE in texts_of(erik)
    assert app.text("sharing.for_hiring_manager", name="Sofie Andersen") in texts_of(erik)

    chosen = await audited(app, departure.id, "sharing.chosen")
    assert [(e.detail["with_manager"], e.detail["with_hiring_manager"]) for e in chosen] == [
        ("true", "false"),
        ("true", "true"),
    ]
    every = await app.audit(departure.id)
    assert not any(SUMMARY in str(e.detail) or ADVICE in str(e.detail) for e in every)
    assert_valid_cards(
        [card, saved, notice, mine, hr, both, erik, await read(app, REP, departure.id)]
    )


async def _told(app: LiveApp, person: TeamsUser) -> bool:
    return bool(notices_to(app, person))


async def test_a_withdrawal_empties_the_readers_cards_and_after_the_last_day_it_is_final(
    app: LiveApp,
) -> None:
    departure, card = await ready_to_share(app)
    saved = card_of(await app.press_button(LEAVER, card, "sharing.choose", **choice()))
    assert ADVICE in texts_of(await read(app, MANAGER, departure.id))

    withdrawn = card_of(await app.press_button(LEAVER, saved, "sharing.withdraw"))
    assert app.text("sharing.withdrawn") in texts_of(withdrawn)
    assert "sharing.withdraw" not in verbs_of(withdrawn)
    refreshed = await read(app, MANAGER, departure.id)
    assert app.text("sharing.nothing") in texts_of(refreshed)
    assert ADVICE not in texts_of(refreshed) and SUMMARY not in texts_of(refreshed)
    [entry] = await audited(app, departure.id, "sharing.withdrawn")
    assert entry.detail["with_manager"] == "false" and entry.actor == LEAVER.upn

    # Shared again, then the last working day ends (in Copenhagen): the choice is final.
    again = card_of(await app.press_button(LEAVER, withdrawn, "sharing.choose", **choice()))
    end = datetime.combine(departure.last_working_day + timedelta(days=1), time.min)
    ahead = end.replace(tzinfo=departure.zone) + timedelta(minutes=1) - app.clock.now()
    app.clock.advance(seconds=ahead.total_seconds())
    before = await stored(app, departure.id)
    late = await app.press_button(LEAVER, again, "sharing.withdraw")
    assert late["value"] == app.text("sharing.final_refused")
    assert await stored(app, departure.id) == before
    assert ADVICE in texts_of(await read(app, MANAGER, departure.id))
    [refusal] = await audited(app, departure.id, "sharing.refused")
    assert refusal.detail["reason"] == "final"
    # The leaver's card now says so, and offers nothing to press.
    await app.press(LEAVER, "sharing.open", {"departure": departure.id})
    final = await app.card_for(LEAVER, app.text("sharing.final", last_day="18 December 2026"))
    assert "actions" not in final and SUMMARY in texts_of(final)
    assert_valid_cards([withdrawn, refreshed, again, final])


async def test_anyone_but_the_leaver_is_refused_and_a_stale_card_changes_nothing(
    app: LiveApp,
) -> None:
    departure, card = await ready_to_share(app)
    data = {"departure": departure.id, "revision": 1, **choice()}
    for person in (MANAGER, PARTNER, HR, REP, STRANGER):
        answer = await app.press(person, "sharing.choose", data)
        assert answer["value"] == app.text("error.for_leaver"), person
        revision = {"departure": departure.id, "revision": 1}
        withdraw = await app.press(person, "sharing.withdraw", revision)
        assert withdraw["value"] == app.text("error.for_leaver"), person
    shared = await stored(app, departure.id)
    assert shared is not None and not shared.shared and shared.summary == ""
    refused = await audited(app, departure.id, "sharing.refused")
    assert len(refused) == 10
    assert {e.detail["reason"] for e in refused} == {"not_leaver"}
    # Only HR names the hiring manager.
    naming = {"departure": departure.id, "revision": 1, "hiring_manager": MANAGER.upn}
    named = await app.press(MANAGER, "sharing.name", naming)
    assert named["value"] == app.text("error.not_allowed")
    assert (await stored(app, departure.id)).hiring_manager_upn == HIRING.upn  # type: ignore[union-attr]

    # The leaver saves; the card that was answered is then stale: a replay changes nothing
    # and shows the choice as it stands.
    await app.press_button(LEAVER, card, "sharing.choose", **choice())
    replay = card_of(await app.press_button(LEAVER, card, "sharing.choose", **choice(summary="x")))
    assert app.text("sharing.changed") in texts_of(replay)
    assert (await stored(app, departure.id)).summary == SUMMARY  # type: ignore[union-attr]
