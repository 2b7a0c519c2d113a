"""Follow-ups end to end in Agents Playground (issue 14): after the conversation the
interviewer (Peter) writes his notes and agrees two follow-ups, one owned by Sofie's manager
(Mads) and one by himself; Mads marks his done; Sofie sees on her thank-you what was promised,
one done and one open; HR's `follow-ups` lists the one still open.

Sofie is at the Playground's keyboard; Peter and Mads post their invokes to the bot directly,
as Teams would (tests/e2e/test_survey.py has the helpers)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import date, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.app import create_app
from bot.typedefs import DATABASE, REGISTRATION
from config.loader import default_config_dir, load_config
from journey.follow_up_rules import FollowUpState
from journey.registration_rules import RegistrationRequest
from storage.follow_ups import SqlFollowUpStore
from storage.migrate import upgrade
from storage.repositories import SqlDepartureRepository
from testkit.standins.serve import serve
from tests.cards.validator import assert_valid_cards
from tests.e2e.demo import SOFIE
from tests.e2e.demo import buttons as _buttons
from tests.e2e.demo import title_of as _title
from tests.e2e.playground import Playground, require_playground
from tests.e2e.test_survey import (
    MADS,
    MADS_UPN,
    PETER,
    PETER_UPN,
    UNIT,
    _card,
    _data,
    _known_to_the_bot,
    _press_as,
    _settings,
)
from tests.helpers.journey import texts_of, verbs_of

pytestmark = pytest.mark.playground

ROTA = "Take the rota question to the unit meeting"
INTRO = "Ask the next new hire about the intake routine after a month"


async def test_notes_with_two_follow_ups_the_owner_marks_one_done(tmp_path: Path) -> None:
    require_playground()
    config = load_config(default_config_dir())
    text = lambda key, **params: config.text(key, "en", unit=UNIT, **params)  # noqa: E731
    settings = _settings(tmp_path)
    await upgrade(settings.database_url)

    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession())
        app = create_app(settings)
        bot_url = await stack.enter_async_context(serve(app))
        playground = await stack.enter_async_context(
            Playground(f"{bot_url}/api/messages", user=SOFIE, locale="en-US")
        )
        await playground.install()
        await playground.wait_for(lambda event: bool(event.cards))  # the welcome
        for who, upn in ((PETER, PETER_UPN), (MADS, MADS_UPN)):
            await _known_to_the_bot(app, playground, who, upn)
        outcome = await app[REGISTRATION].register(
            RegistrationRequest(
                leaver=SOFIE.email,
                manager=MADS_UPN,
                unit=UNIT,
                last_working_day=date.today() + timedelta(days=21),
                locale="en",
            ),
            "hr@contoso.example",
            door="teams",
        )
        assert outcome.departure is not None, outcome.problems
        departure_id = outcome.departure.id

        # Sofie accepts, chooses the HR partner (Peter) and books the first time.
        offer = await playground.wait_for(lambda event: _title(event) == text("offer.title"))
        message = offer.message_id
        choice = _card(
            await playground.execute(
                "offer.accept", _data(offer.cards[0], "offer.accept"), reply_to=message
            )
        )
        partner = next(
            b["data"]
            for b in _buttons(choice, "interviewer.choose")
            if b["data"]["person"] == PETER_UPN
        )
        slots = _card(await playground.execute("interviewer.choose", partner, reply_to=message))
        await playground.execute("booking.pick", _data(slots, "booking.pick"), reply_to=message)

        # After the meeting: Peter's notes, "held", and two follow-ups.
        departure = await SqlDepartureRepository(app[DATABASE]).get(departure_id)
        assert departure.meeting_end is not None
        moment = (departure.meeting_end + timedelta(minutes=5)).isoformat()
        async with http.post(f"{bot_url}/_test/clock", json={"to": moment}) as response:
            assert response.status == 200, await response.text()
        refresh = {"departure": departure_id}
        task = _card(await _press_as(http, bot_url, playground, PETER, "task.refresh", refresh))
        notes = {**_data(task, "task.held"), "n_agreed_actions": "Two follow-ups, see below"}
        task = _card(await _press_as(http, bot_url, playground, PETER, "task.held", notes))
        due = (departure.meeting_end.date() + timedelta(days=14)).isoformat()
        cards = [task]
        for what, owner in ((ROTA, "manager"), (INTRO, "interviewer")):
            form = {"fu_what": what, "fu_owner": owner, "fu_area": "work_environment"}
            data = {**_data(task, "follow_up.add"), **form, "fu_due": due}
            task = _card(await _press_as(http, bot_url, playground, PETER, "follow_up.add", data))
            assert text("follow_up.added") in texts_of(task) and what in texts_of(task)
            cards.append(task)
        store = SqlFollowUpStore(app[DATABASE])
        rota, intro = sorted(await store.of_departure(departure_id), key=lambda f: f.what != ROTA)
        assert (rota.owner_upn, intro.owner_upn) == (MADS_UPN, PETER_UPN)

        # Mads, the owner of the first, marks it done; Peter cannot do it for him.
        done = {"follow_up": rota.id, "revision": rota.revision, "fu_outcome": "New rota"}
        forged = await _press_as(http, bot_url, playground, PETER, "follow_up.done", done)
        assert forged["value"] == text("follow_up.not_owner")
        card = _card(await _press_as(http, bot_url, playground, MADS, "follow_up.done", done))
        assert text("follow_up.done_note") in texts_of(card)
        assert "follow_up.done" not in verbs_of(card)
        cards.append(card)
        states = {f.what: f.state for f in await store.of_departure(departure_id)}
        assert states == {ROTA: FollowUpState.DONE, INTRO: FollowUpState.OPEN}

        # Sofie's thank-you, in her own refresh: what was promised, one done and one open.
        thanks_text = text("thanks.after_conversation", name="Sofie Andersen")
        thanks = await playground.wait_for(
            lambda event: any(thanks_text in texts_of(c) for c in event.cards)
        )
        mine = _card(
            await playground.execute("thanks.refresh", refresh, reply_to=thanks.message_id)
        )
        shown = texts_of(mine)
        assert ROTA in shown and INTRO in shown and "New rota" not in shown
        assert text("follow_up.state.done") in shown and text("follow_up.state.open") in shown
        cards.append(mine)

        # HR's `follow-ups` (its page button, as Teams would post it): the open one only.
        hanne = {"user_id": "user-id-2", "aad": "00000000-0000-0000-0000-0000000000022"}
        await _known_to_the_bot(app, playground, hanne, "hr@contoso.example")
        page = {"page": 0}
        listed = _card(
            await _press_as(http, bot_url, playground, hanne, "follow_up_lists.page", page)
        )
        assert INTRO in texts_of(listed) and ROTA not in texts_of(listed)
        assert text("follow_up_lists.tally", open=1, overdue=0) in texts_of(listed)
        cards.append(listed)
    assert_valid_cards(cards)
