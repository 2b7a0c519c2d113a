"""The survey and what follows the conversation, in Agents Playground: Sofie answers, skips,
goes back, stops, and after a restart of the bot (a second app on the same SQLite file) goes on
where she stopped, changes who may read an answer on the summary and sends. The interviewer's
card shows exactly what she shared; the interviewer writes notes and marks the conversation
held; Sofie is thanked and asks for a reference.

The Playground has one person at the keyboard (Sofie). The interviewer (Peter Holm) and the
manager (Mads Nielsen) therefore act by posting their invokes to the bot directly, as Teams
would post them, with the Playground's Bot Connector as service URL."""

from __future__ import annotations

import uuid
from contextlib import AsyncExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import create_app
from bot.settings import Settings
from bot.typedefs import DATABASE, REGISTRATION
from config.loader import default_config_dir, load_config
from journey.after_conversation import Gesture
from journey.departure import DepartureStatus
from journey.ports import ConversationRef
from journey.registration_rules import RegistrationRequest
from journey.survey import Attribution, SurveyStatus
from storage.after_conversation import SqlNotesStore
from storage.conversations import SqlConversationRefStore
from storage.migrate import upgrade
from storage.repositories import SqlDepartureRepository
from storage.survey import SqlSurveyStore
from testkit.standins.serve import serve
from tests.cards.validator import assert_valid_cards
from tests.e2e.demo import SOFIE
from tests.e2e.demo import buttons as _buttons
from tests.e2e.demo import title_of as _title
from tests.e2e.playground import Playground, StreamEvent, require_playground
from tests.helpers.journey import texts_of, verbs_of

pytestmark = pytest.mark.playground

UNIT = "social-care"
STAY = "More flexible hours would have kept me"
CULTURE = "Kind, but busy"
AGREED = "I will now take the rota question to the unit meeting"
MAIN = "Shorter commute; proud of the intake routine"
PETER = {"user_id": "user-id-3", "aad": "6f1d2c3b-0a4e-4b7f-9c21-3e5a7d9b1f01"}
PETER_UPN = "hrpartner@contoso.example"
MADS = {"user_id": "user-id-1", "aad": "00000000-0000-0000-0000-0000000000021"}
MADS_UPN = "manager@contoso.example"


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        EXITBOT_LOCAL_MODE=True,
        EXITBOT_TEST_CLOCK=True,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}",
    )


def _card(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer.get("type") == "application/vnd.microsoft.card.adaptive", answer
    return answer["value"]


def _data(card: dict[str, Any], verb: str) -> dict[str, Any]:
    return dict(_buttons(card, verb)[0].get("data", {}))


def _section(card: dict[str, Any]) -> str:
    return str(_data(card, "survey.next")["section"])


async def _known_to_the_bot(
    app: Any, playground: Playground, who: dict[str, str], upn: str
) -> None:
    """The person has chatted with the bot before: it knows their UPN and has greeted them."""
    refs = SqlConversationRefStore(app[DATABASE])
    await refs.save(
        ConversationRef(
            user_key=who["aad"],
            user_id=who["user_id"],
            upn=upn,
            conversation_id=f"a:e2e-{who['user_id']}",
            service_url=playground.service_url,
            tenant_id=playground.tenant_id,
            bot_id=playground.bot_id,
            locale="en-US",
        )
    )
    await refs.mark_welcomed(who["aad"])


async def _press_as(
    http: aiohttp.ClientSession,
    bot_url: str,
    playground: Playground,
    who: dict[str, str],
    verb: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    """Someone other than Sofie presses a button: the invoke Teams would post for them."""
    activity = {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "id": f"e2e-{uuid.uuid4().hex}",
        "channelId": "msteams",
        "serviceUrl": playground.service_url,
        "locale": "en-US",
        "from": {"id": who["user_id"], "aadObjectId": who["aad"]},
        "recipient": {"id": playground.bot_id, "name": playground.bot_name},
        "conversation": {
            "id": f"a:e2e-{who['user_id']}",
            "conversationType": "personal",
            "tenantId": playground.tenant_id,
        },
        "channelData": {"tenant": {"id": playground.tenant_id}},
        "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data}},
    }
    async with http.post(f"{bot_url}/api/messages", json=activity) as response:
        assert response.status == 200, await response.text()
        return dict(await response.json())


async def test_survey_hand_off_notes_and_thank_you(tmp_path: Path) -> None:
    require_playground()
    config = load_config(default_config_dir())
    text = lambda key, **params: config.text(key, "en", unit=UNIT, **params)  # noqa: E731
    sections = config.survey_sections(UNIT)
    title_of = {section.id: section.title.get("en") for section in sections}
    settings = _settings(tmp_path)
    await upgrade(settings.database_url)
    seen: list[dict[str, Any]] = []

    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession())
        first = create_app(settings)
        first_run = serve(first)
        first_url = await first_run.__aenter__()
        try:
            playground = await stack.enter_async_context(
                Playground(f"{first_url}/api/messages", user=SOFIE, locale="en-US")
            )
            await playground.install()
            await playground.wait_for(lambda event: bool(event.cards))  # the welcome
            await playground.send_text("help")
            help_card = await playground.wait_for(lambda event: _title(event) == text("help.title"))
            for who, upn in ((PETER, PETER_UPN), (MADS, MADS_UPN)):
                await _known_to_the_bot(first, playground, who, upn)
            outcome = await first[REGISTRATION].register(
                RegistrationRequest(
                    leaver=SOFIE.email,
                    manager=MADS_UPN,
                    unit=UNIT,
                    last_working_day=date.today() + timedelta(days=21),
                    locale="en",  # HR registers her in English (the directory says Danish)
                ),
                "hr@contoso.example",
                door="teams",
            )
            assert outcome.departure is not None, outcome.problems
            departure_id = outcome.departure.id

            # Accept, choose the HR partner, book the first time.
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

            # The survey is offered once the conversation is booked.
            offered: StreamEvent = await playground.wait_for(
                lambda event: _title(event) == text("survey.offer_title")
            )
            survey = offered.message_id

            async def press(verb: str, data: dict[str, Any]) -> dict[str, Any]:
                card = _card(await playground.execute(verb, data, reply_to=survey))
                seen.append(card)
                return card

            intro = await press("survey.start", _data(offered.cards[0], "survey.start"))
            assert text("survey.attribution.title") in texts_of(intro)
            card = await press(
                "survey.start", {**_data(intro, "survey.start"), "attribution": "named"}
            )
            assert _section(card) == "reasons"
            card = await press("survey.next", {**_data(card, "survey.next"), "q_reasons": "pay"})
            assert _section(card) == "job_content"
            card = await press("survey.next", _data(card, "survey.next"))  # skipped
            assert _section(card) == "motivation"
            card = await press("survey.back", _data(card, "survey.back"))  # and back again
            assert _section(card) == "job_content"
            card = await press("survey.next", {**_data(card, "survey.next"), "q_meaningful": "4"})
            assert _section(card) == "motivation"
        finally:
            await first_run.__aexit__(None, None, None)

        # The bot restarts: a second app on the same database; the Playground stays.
        second = create_app(settings)
        bot_url = await stack.enter_async_context(serve(second))
        playground.bot_endpoint = f"{bot_url}/api/messages"
        await playground.send_text("survey")
        resumed = await playground.wait_for(lambda event: _title(event) == title_of["motivation"])
        survey = resumed.message_id
        card = resumed.cards[0]
        answers = {"work_environment": {"q_stay": STAY, "q_culture": CULTURE, "q_recommend": "no"}}
        while "survey.send" not in verbs_of(card):
            data = {**_data(card, "survey.next"), **answers.get(_section(card), {})}
            card = await press("survey.next", data)
        summary_data = _data(card, "survey.send")
        uses = {"a_culture": "interviewer_only", "a_recommend": "anonymous_stats"}
        summary = await press("survey.attribution", {**summary_data, **uses})
        sent = await press("survey.send", {**_data(summary, "survey.send"), **uses})
        assert text("survey.thanks") in texts_of(sent)
        progress = await SqlSurveyStore(second[DATABASE]).progress(departure_id)
        assert progress is not None and progress.status is SurveyStatus.SENT
        stored = await SqlSurveyStore(second[DATABASE]).answers(
            departure_id, frozenset(Attribution), sent_only=True
        )
        assert {a.question_id: a.attribution for a in stored} == {
            "reasons": Attribution.NAMED,
            "meaningful": Attribution.NAMED,
            "stay": Attribution.NAMED,
            "culture": Attribution.INTERVIEWER_ONLY,
            "recommend": Attribution.ANONYMOUS_STATS,
        }

        # The interviewer's own view: exactly what Sofie shared with them.
        refresh = {"departure": departure_id}
        task = _card(await _press_as(http, bot_url, playground, PETER, "task.refresh", refresh))
        shared = texts_of(task)
        assert STAY in shared and CULTURE in shared
        assert "Pay and benefits" in shared  # a choice, as its label
        prompts = {q.id: q.prompt.get("en") for s in sections for q in s.questions}
        assert prompts["stay"] in shared and prompts["meaningful"] in shared
        assert prompts["recommend"] not in shared  # statistics only
        assert {"task.notes", "task.held"} <= set(verbs_of(task))
        # Anyone else opening the same card: none of it. Sofie through the Playground ...
        other = _card(
            await playground.execute("task.refresh", refresh, reply_to=help_card.message_id)
        )
        assert STAY not in texts_of(other) and CULTURE not in texts_of(other)
        assert text("task.no_details") in texts_of(other)
        # ... and the manager, whom Sofie did not choose.
        manager = _card(await _press_as(http, bot_url, playground, MADS, "task.refresh", refresh))
        assert STAY not in texts_of(manager) and "task.notes" not in verbs_of(manager)

        # After the meeting, Peter writes his notes and marks the conversation held.
        departure = await SqlDepartureRepository(second[DATABASE]).get(departure_id)
        assert departure.meeting_end is not None
        moment = (departure.meeting_end + timedelta(minutes=5)).isoformat()
        async with http.post(f"{bot_url}/_test/clock", json={"to": moment}) as response:
            assert response.status == 200, await response.text()
        notes = {
            **_data(task, "task.held"),
            "n_main_points": MAIN,
            "n_agreed_actions": AGREED,
            "n_data_use": "",
        }
        forged = await _press_as(http, bot_url, playground, MADS, "task.held", notes)
        assert forged["value"] == text("error.for_interviewer")  # not "only HR" (issue 12)
        held = _card(await _press_as(http, bot_url, playground, PETER, "task.held", notes))
        assert text("notes.held_note", name="Sofie Andersen") in texts_of(held)
        departure = await SqlDepartureRepository(second[DATABASE]).get(departure_id)
        assert departure.status is DepartureStatus.HELD
        kept = await SqlNotesStore(second[DATABASE]).notes(departure_id)
        assert kept is not None and (kept.main_points, kept.agreed_actions) == (MAIN, AGREED)

        # Sofie is thanked in her chat; what was agreed shows only in her own refresh.
        thanks_text = text("thanks.after_conversation", name="Sofie Andersen")
        thanks = await playground.wait_for(
            lambda event: any(thanks_text in texts_of(c) for c in event.cards)
        )
        posted = thanks.cards[0]
        assert AGREED not in texts_of(posted) and MAIN not in texts_of(posted)
        mine = _card(
            await playground.execute(
                "thanks.refresh", {"departure": departure_id}, reply_to=thanks.message_id
            )
        )
        assert AGREED in texts_of(mine) and MAIN not in texts_of(mine)
        wished = _card(
            await playground.execute(
                "thanks.choose",
                {
                    **_data(mine, "thanks.choose"),
                    "o_reference_letter": "true",
                    "o_alumni": "false",
                    "o_contact_later": "true",
                    "alumni_email": "sofie@example.org",  # consent needs it (issue 11)
                },
                reply_to=thanks.message_id,
            )
        )
        assert text("thanks_offer.noted") in texts_of(wished)
        wishes = await SqlNotesStore(second[DATABASE]).wishes(departure_id)
        assert wishes is not None
        assert wishes.chosen == (Gesture.REFERENCE_LETTER, Gesture.CONTACT_LATER)

    assert_valid_cards([*seen, task, other, manager, held, posted, mine, wished])
