"""The survey in Teams: answer, skip, go back, resume, choose who may read, send, withdraw."""

from __future__ import annotations

from journey.survey import Attribution, SurveyStatus
from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import (
    HR,
    LEAVER,
    MANAGER,
    PARTNER,
    STRANGER,
    LiveApp,
    texts_of,
    verbs_of,
)
from tests.journey.test_booking import booked
from tests.survey.helpers import (
    CULTURE,
    STAY,
    at_the_send,
    at_the_survey,
    card_of,
    connector_bodies,
    input_value,
    restarted,
    started,
    stored,
)


async def test_the_choice_comes_first_in_plain_words(app: LiveApp) -> None:
    _, intro = await at_the_survey(app)

    texts = texts_of(intro)
    for choice in Attribution:
        assert app.text(f"survey.attribution.{choice.value}") in texts
    assert app.text("survey.privacy") in texts
    assert verbs_of(intro) == ["survey.start"]
    assert_valid_cards([intro])


async def test_answer_skip_go_back_summary_change_and_send(app: LiveApp) -> None:
    departure, first = await started(app)
    sections = app.config.survey_sections("social-care")
    assert sections[0].title.get("en") in texts_of(first)
    assert app.text("survey.progress", current=1, total=len(sections)) in texts_of(first)
    seen = [first]

    # Part 1: one choice question answered, the free text skipped.
    second = card_of(await app.press_button(LEAVER, first, "survey.next", q_reasons="pay,career"))
    assert sections[1].title.get("en") in texts_of(second)
    # Back: part 1 again, with the answer kept (in the database, shown in the card).
    again = card_of(await app.press_button(LEAVER, second, "survey.back"))
    assert input_value(again, "q_reasons") == "career,pay"
    seen += [second, again]

    card = card_of(await app.press_button(LEAVER, again, "survey.next", q_reasons="career,pay"))
    answers = {"work_environment": {"q_stay": STAY, "q_culture": CULTURE, "q_recommend": "no"}}
    while "survey.send" not in verbs_of(card):
        section = next(a for a in card["actions"] if a["verb"] == "survey.next")["data"]["section"]
        card = card_of(
            await app.press_button(LEAVER, card, "survey.next", **answers.get(section, {}))
        )
        seen.append(card)
    summary = card
    texts = texts_of(summary)
    assert STAY in texts and CULTURE in texts and app.text("survey.no") in texts
    assert "Pay and benefits" in texts  # choices as their labels, not their ids

    # On the summary: culture only for the interviewer, recommend only in the statistics.
    uses = {"a_culture": "interviewer_only", "a_recommend": "anonymous_stats"}
    summary = card_of(await app.press_button(LEAVER, summary, "survey.attribution", **uses))
    assert input_value(summary, "a_culture") == "interviewer_only"
    _, saved = await stored(app, departure.id)
    assert {a.question_id: a.attribution for a in saved} == {
        "reasons": Attribution.NAMED,
        "stay": Attribution.NAMED,
        "culture": Attribution.INTERVIEWER_ONLY,
        "recommend": Attribution.ANONYMOUS_STATS,
    }
    assert [a.value for a in saved if a.question_id == "stay"] == [STAY]  # as written

    sent = card_of(await app.press_button(LEAVER, summary, "survey.send", **uses))
    assert app.text("survey.thanks") in texts_of(sent)
    assert verbs_of(sent) == ["survey.withdraw", "sharing.open"]  # share: issue 14
    progress, _ = await stored(app, departure.id)
    assert progress is not None and progress.status is SurveyStatus.SENT
    # A second send of the same summary is stale and changes nothing.
    replay = await app.press_button(LEAVER, summary, "survey.send", **uses)
    assert replay["value"] == app.text("survey.closed")
    assert_valid_cards([*seen, summary, sent])


async def _sent_survey(app: LiveApp) -> str:
    """The leaver answered part 1 and work environment, and sent; the departure id."""
    departure, card = await at_the_send(app)
    task = (await app.departure(departure.id)).cards["task"]
    updates = len(app.requests("PUT", task.activity_id))
    uses = {"a_culture": "interviewer_only", "a_recommend": "anonymous_stats"}
    card_of(await app.press_button(LEAVER, card, "survey.send", **uses))
    # Sending updates the posted task card in place (Teams then refreshes it per person).
    assert len(app.requests("PUT", task.activity_id)) == updates + 1
    return departure.id


async def test_the_interviewer_sees_what_was_shared_and_nobody_else_sees_anything(
    app: LiveApp,
) -> None:
    departure_id = await _sent_survey(app)
    refresh = {"departure": departure_id}

    task = card_of(await app.press(PARTNER, "task.refresh", refresh))
    texts = texts_of(task)
    assert app.text("survey.handoff.title", name="Sofie Andersen") in texts
    assert STAY in texts and CULTURE in texts
    assert "Pay and benefits" in texts
    # Statistics-only: not on the interviewer's card.
    assert app.text("survey.attribution.anonymous_stats") not in texts
    recommend_prompt = next(
        q.prompt.get("en")
        for s in app.config.survey_sections("social-care")
        for q in s.questions
        if q.id == "recommend"
    )
    assert recommend_prompt not in texts
    assert app.text("survey.handoff.guide", name="Sofie Andersen") in texts
    assert task["refresh"]["userIds"] == [PARTNER.user_id]

    # Everyone else who opens (or replays) the card: no answers.
    for other in (MANAGER, HR, STRANGER, LEAVER):
        seen = card_of(await app.press(other, "task.refresh", refresh))
        assert STAY not in texts_of(seen) and CULTURE not in texts_of(seen), other
    # The card posted to the interviewer's chat never carries an answer.
    task_posted = (await app.departure(departure_id)).cards["task"]
    assert task_posted.conversation_id
    assert STAY not in connector_bodies(app, task_posted.conversation_id)
    assert STAY not in connector_bodies(app, MANAGER.conversation)
    reads = [e for e in await app.audit(departure_id) if e.action == "survey.read"]
    assert PARTNER.upn in {e.actor for e in reads}
    assert_valid_cards([task])


async def test_withdrawn_answers_are_deleted_and_gone_from_the_task_card(app: LiveApp) -> None:
    departure_id = await _sent_survey(app)
    await app.say(LEAVER, "survey")
    sent = await app.card_for(LEAVER, app.text("survey.withdraw"))

    withdrawn = card_of(await app.press_button(LEAVER, sent, "survey.withdraw"))

    assert app.text("survey.withdrawn") in texts_of(withdrawn)
    progress, answers = await stored(app, departure_id)
    assert progress is not None and progress.status is SurveyStatus.WITHDRAWN
    assert answers == []
    task = card_of(await app.press(PARTNER, "task.refresh", {"departure": departure_id}))
    assert STAY not in texts_of(task)
    assert "survey.withdrawn" in [e.action for e in await app.audit(departure_id)]
    assert_valid_cards([sent, withdrawn])


async def test_withdrawing_after_the_last_working_day_is_refused(app: LiveApp) -> None:
    departure_id = await _sent_survey(app)
    await app.say(LEAVER, "survey")
    sent = await app.card_for(LEAVER, app.text("survey.withdraw"))
    app.clock.advance(days=30)  # past 18 December

    answer = await app.press_button(LEAVER, sent, "survey.withdraw")

    assert answer["value"] == app.text("survey.closed")
    progress, answers = await stored(app, departure_id)
    assert progress is not None and progress.status is SurveyStatus.SENT and len(answers) == 4


async def test_stop_and_come_back_after_a_restart(app: LiveApp) -> None:
    departure, first = await started(app)
    second = card_of(await app.press_button(LEAVER, first, "survey.next", q_reasons="pay"))
    third = card_of(await app.press_button(LEAVER, second, "survey.next", q_meaningful="4"))

    async with restarted(app) as later:
        await later.say(LEAVER, "survey")
        title = app.config.survey_sections("social-care")[2].title.get("en")
        card = await later.card_for(LEAVER, title)
        # Where the leaver stopped: the third part, not the start.
        assert texts_of(card) == texts_of(third)
        back = card_of(await later.press_button(LEAVER, card, "survey.back"))
        assert input_value(back, "q_meaningful") == "4"
    progress, answers = await stored(app, departure.id)
    assert progress is not None and progress.position == 1
    assert {a.question_id for a in answers} == {"reasons", "meaningful"}


async def test_the_survey_is_offered_once_the_conversation_is_booked(app: LiveApp) -> None:
    await booked(app)
    offer = await app.card_for(LEAVER, app.text("survey.offer_title"))

    intro = card_of(await app.press_button(LEAVER, offer, "survey.start"))

    assert app.text("survey.attribution.title") in texts_of(intro)
    assert verbs_of(intro) == ["survey.start"]
    assert_valid_cards([offer, intro])


async def test_a_danish_leaver_writes_spoergeskema(app: LiveApp) -> None:
    await booked(app)
    # HR registered her in English, which comes before Teams' da-DK: she chooses Danish.
    await app.press(LEAVER, "language.choose", {"language": "da"}, locale="da-DK")

    await app.say(LEAVER, "spørgeskema", locale="da-DK")

    intro = await app.card_for(LEAVER, app.text("survey.attribution.title", "da"))
    assert app.text("survey.attribution.anonymous_stats", "da") in texts_of(intro)
    assert intro["lang"] == "da"
