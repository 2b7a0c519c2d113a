"""Cards as seen in the emulator (issue 11), on the real app: a save says when it saved, a
cancelled conversation is headed as cancelled, a past last day is refused as such."""

from __future__ import annotations

from datetime import timedelta

from cards.locale import Speaker
from tests.helpers.journey import HR, LEAVER, T0, LiveApp, texts_of
from tests.journey.test_booking import booked


async def test_saving_who_takes_over_says_it_saved_and_when(app: LiveApp) -> None:
    await app.say(LEAVER, "hi")
    departure = await app.register()
    answer = await app.press(
        LEAVER, "handover.successor", {"departure": departure.id, "successor": "Bo Jensen"}
    )
    card = answer["value"]
    # 09:00 in Copenhagen, written the British way (HR registered her in English).
    at = Speaker(app.config, "en").moment(T0, departure.zone)
    assert at == "23 November 2026 at 09:00"
    assert app.text("handover.saved", at=at) in texts_of(card)
    assert (await app.departure(departure.id)).handover_successor == "Bo Jensen"


async def test_a_cancelled_conversation_is_not_headed_choose_a_time(app: LiveApp) -> None:
    departure, _ = await booked(app)
    answer = await app.press(LEAVER, "booking.cancel", {"departure": departure.id})
    card = answer["value"]
    assert card["body"][0]["text"] == app.text("booking.cancelled_title")
    assert app.text("booking.title") not in texts_of(card)
    assert app.text("booking.cancelled") in texts_of(card)


async def test_a_past_last_day_is_refused_as_today_or_later(app: LiveApp) -> None:
    await app.say(HR, "registrer", locale="da-DK")
    yesterday = (T0.date() - timedelta(days=1)).isoformat()
    answer = await app.press(
        HR,
        "register.submit",
        {"leaver": LEAVER.upn, "unit": "social-care", "last_working_day": yesterday},
        locale="da-DK",
    )
    text = texts_of(answer["value"])
    assert app.config.text("register.last_day_in_past", "da") in text
    assert "i dag eller senere" in text
    assert await app.departures.list_for_person(LEAVER.upn) == []
