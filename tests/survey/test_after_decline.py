"""A unit that wants it offers the survey to a leaver who declined the conversation: answers
then count only in anonymous statistics, and the cards say so in plain words."""

from __future__ import annotations

import shutil

import pytest

from config.loader import default_config_dir
from journey.survey import Attribution, SurveyStatus
from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import LEAVER, PARTNER, LiveApp, texts_of, verbs_of
from tests.journey.test_booking import offered
from tests.survey.helpers import card_of, input_value, refusals, stored

UNIT_HEAD = "  - id: social-care\n    name: Social og Sundhed\n"


@pytest.fixture
def journey_settings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The default configuration, with social-care offering the survey after a decline."""
    root = tmp_path_factory.mktemp("config")
    shutil.copytree(default_config_dir(), root, dirs_exist_ok=True)
    units = root / "units.yaml"
    text = units.read_text(encoding="utf-8")
    assert UNIT_HEAD in text
    on = UNIT_HEAD + "    survey:\n      after_decline: true\n"
    units.write_text(text.replace(UNIT_HEAD, on), encoding="utf-8")
    return {"EXITBOT_CONFIG_DIR": str(root)}


async def test_after_declining_the_survey_counts_only_anonymously(app: LiveApp) -> None:
    departure, offer = await offered(app)
    declined = card_of(await app.press_button(LEAVER, offer, "offer.decline"))
    assert app.text("survey.after_decline") in texts_of(declined)
    assert verbs_of(declined) == ["offer.accept", "survey.start"]

    intro = card_of(await app.press_button(LEAVER, declined, "survey.start"))
    choices = next(b for b in intro["body"] if b.get("id") == "attribution")["choices"]
    assert [c["value"] for c in choices] == [Attribution.ANONYMOUS_STATS.value]
    assert input_value(intro, "attribution") == Attribution.ANONYMOUS_STATS.value
    assert app.text("survey.attribution.named") not in texts_of(intro)

    # A forged choice to share with someone is refused: there is nobody to share with.
    forged = await app.press_button(LEAVER, intro, "survey.start", attribution="named")
    assert forged["value"] == app.text("survey.refused.unknown_choice")
    progress, _ = await stored(app, departure.id)
    assert progress is None and len(await refusals(app, departure.id)) == 1

    card = card_of(
        await app.press_button(LEAVER, intro, "survey.start", attribution="anonymous_stats")
    )
    seen = [declined, intro, card]
    answers = {"work_environment": {"q_recommend": "yes"}}
    while "survey.send" not in verbs_of(card):
        section = next(a for a in card["actions"] if a["verb"] == "survey.next")["data"]["section"]
        given = answers.get(section, {})
        card = card_of(await app.press_button(LEAVER, card, "survey.next", **given))
        seen.append(card)
    summary = card
    assert app.text("survey.only_anonymous") in texts_of(summary)
    uses = await app.press_button(LEAVER, summary, "survey.attribution", a_recommend="named")
    assert uses["value"] == app.text("survey.refused.unknown_choice")
    sent = card_of(await app.press_button(LEAVER, summary, "survey.send"))

    progress, answers = await stored(app, departure.id)
    assert progress is not None and progress.status is SurveyStatus.SENT
    assert answers and {a.attribution for a in answers} == {Attribution.ANONYMOUS_STATS}
    # Nobody holds a conversation: no task card, and no one reads the answers.
    assert "task" not in (await app.departure(departure.id)).cards
    refresh = await app.press(PARTNER, "task.refresh", {"departure": departure.id})
    assert app.text("survey.handoff.title", name="Sofie Andersen") not in str(refresh)
    assert_valid_cards([*seen, sent])
