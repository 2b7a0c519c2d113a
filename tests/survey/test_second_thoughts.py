"""Second thoughts: start again after withdrawing, Back on the summary keeps the choices made
there, and the leaver's words show literally on the interviewer's card."""

from __future__ import annotations

from journey.survey import Attribution, SurveyStatus
from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import LEAVER, PARTNER, LiveApp, texts_of, verbs_of
from tests.journey.test_booking import task_posted
from tests.survey.helpers import card_of, input_value, started, stored
from tests.survey.test_survey_journey import _sent_survey

MARKDOWN = "It was **fine**, see [the rota](https://evil.example)\n- one\n- two"


async def _summary(app: LiveApp, **given: str) -> tuple[str, dict]:
    departure, card = await started(app)
    answers = {"work_environment": given}
    while "survey.send" not in verbs_of(card):
        section = next(a for a in card["actions"] if a["verb"] == "survey.next")["data"]["section"]
        card = card_of(
            await app.press_button(LEAVER, card, "survey.next", **answers.get(section, {}))
        )
    return departure.id, card


async def test_after_withdrawing_the_leaver_may_start_afresh(app: LiveApp) -> None:
    departure_id = await _sent_survey(app)
    await app.say(LEAVER, "survey")
    sent = await app.card_for(LEAVER, app.text("survey.withdraw"))
    withdrawn = card_of(await app.press_button(LEAVER, sent, "survey.withdraw"))
    assert verbs_of(withdrawn) == ["survey.start"]

    intro = card_of(await app.press_button(LEAVER, withdrawn, "survey.start"))
    assert app.text("survey.attribution.title") in texts_of(intro)
    first = card_of(
        await app.press_button(LEAVER, intro, "survey.start", attribution="interviewer_only")
    )

    progress, answers = await stored(app, departure_id)
    assert progress is not None and progress.status is SurveyStatus.IN_PROGRESS
    assert (progress.position, progress.attribution) == (0, Attribution.INTERVIEWER_ONLY)
    assert answers == [] and progress.sent_at is None
    assert "survey.started_again" in [e.action for e in await app.audit(departure_id)]
    # The withdrawn card pressed again (a replay) starts nothing twice: it shows where she is.
    again = card_of(await app.press_button(LEAVER, withdrawn, "survey.start"))
    assert texts_of(again) == texts_of(first)
    assert_valid_cards([withdrawn, intro, first])


async def test_after_the_last_day_withdrawn_stays_withdrawn(app: LiveApp) -> None:
    departure_id = await _sent_survey(app)
    await app.say(LEAVER, "survey")
    sent = await app.card_for(LEAVER, app.text("survey.withdraw"))
    withdrawn = card_of(await app.press_button(LEAVER, sent, "survey.withdraw"))
    app.clock.advance(days=30)

    answer = await app.press_button(LEAVER, withdrawn, "survey.start")

    assert app.text("survey.withdrawn") in texts_of(card_of(answer))
    progress, _ = await stored(app, departure_id)
    assert progress is not None and progress.status is SurveyStatus.WITHDRAWN


async def test_back_from_the_summary_keeps_the_choices_made_there(app: LiveApp) -> None:
    departure_id, summary = await _summary(app, q_culture="Kind", q_recommend="no")

    back = card_of(
        await app.press_button(LEAVER, summary, "survey.back", a_culture="anonymous_stats")
    )
    summary = card_of(await app.press_button(LEAVER, back, "survey.next"))

    assert input_value(summary, "a_culture") == "anonymous_stats"
    _, answers = await stored(app, departure_id)
    uses = {a.question_id: a.attribution for a in answers}
    assert uses == {"culture": Attribution.ANONYMOUS_STATS, "recommend": Attribution.NAMED}


async def test_the_leavers_words_show_literally_on_the_interviewers_card(app: LiveApp) -> None:
    departure_id, summary = await _summary(app, q_stay=MARKDOWN)
    await app.until(lambda: task_posted(app, departure_id), what="task card sent")
    card_of(await app.press_button(LEAVER, summary, "survey.send"))

    task = card_of(await app.press(PARTNER, "task.refresh", {"departure": departure_id}))

    runs = [
        inline
        for block in _blocks(task)
        if block.get("type") == "RichTextBlock"
        for inline in block["inlines"]
    ]
    assert {"type": "TextRun", "text": MARKDOWN} in runs
    assert not [b for b in _blocks(task) if b.get("type") == "TextBlock" and MARKDOWN in b["text"]]
    assert {"type": "TextRun", "text": MARKDOWN} in [
        i for b in _blocks(summary) if b.get("type") == "RichTextBlock" for i in b["inlines"]
    ]
    assert_valid_cards([task, summary])


def _blocks(card: dict) -> list[dict]:
    found: list[dict] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card["body"])
    return found
