"""Sharing from the sent survey (issue 14): the button on the card that thanks the leaver, and
the answers they chose to add: only those they marked as named, never one they kept for the
interviewer."""

from __future__ import annotations

from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import LEAVER, MANAGER, LiveApp, texts_of, verbs_of
from tests.sharing.helpers import ADVICE, audited, choice
from tests.survey.helpers import CULTURE, STAY, at_the_send, card_of


async def test_the_leaver_shares_from_the_sent_survey_with_their_named_answers(
    app: LiveApp,
) -> None:
    departure, summary = await at_the_send(app)
    # Culture only for the interviewer; the rest named (the leaver's choice at the start).
    sent = card_of(
        await app.press_button(LEAVER, summary, "survey.send", a_culture="interviewer_only")
    )
    assert "sharing.open" in verbs_of(sent) and "survey.withdraw" in verbs_of(sent)

    opened = await app.press_button(LEAVER, sent, "sharing.open")
    assert opened["value"] == app.text("sharing.opened")
    card = await app.card_for(LEAVER, app.text("sharing.intro"))
    await app.press_button(LEAVER, card, "sharing.choose", **choice(answers_included="true"))

    read = card_of(await app.press(MANAGER, "sharing.read", {"departure": departure.id}))
    shown = texts_of(read)
    assert ADVICE in shown and STAY in shown
    assert CULTURE not in shown  # kept for the interviewer: never shared
    [entry] = await audited(app, departure.id, "shared_summary.read")
    assert entry.detail["answers"] != "0"
    assert not any(STAY in str(e.detail) for e in await app.audit(departure.id))
    assert_valid_cards([sent, card, read])
