"""Getting a leaver to the sharing card on the running app, and looking at what it stored."""

from __future__ import annotations

from typing import Any

from bot.typedefs import DATABASE
from journey.departure import Departure
from journey.ports import AuditEntry
from journey.sharing import SharedSummary
from storage.sharing import SqlSharingStore
from tests.helpers.journey import HR, LEAVER, LiveApp, TeamsUser, cards_of, texts_of
from tests.journey.test_booking import booked

# Erik (the demo directory's Swedish colleague) hires Sofie's successor; Lene is the unit's
# union representative (config/demo/people.yaml).
HIRING = TeamsUser(
    "user-id-5", "6f1d2c3b-0a4e-4b7f-9c21-3e5a7d9b1f03", "leaver.se@contoso.example", "Erik"
)
REP = TeamsUser(
    "user-id-4", "6f1d2c3b-0a4e-4b7f-9c21-3e5a7d9b1f02", "union.rep@contoso.example", "Lene"
)
SUMMARY = "The **rota** is [broken](https://evil.example): fix it before the next hire"
ADVICE = "Ask Jonna about the case system in your first week"


def store(app: LiveApp) -> SqlSharingStore:
    return SqlSharingStore(app.app[DATABASE])


async def stored(app: LiveApp, departure_id: str) -> SharedSummary | None:
    return await store(app).shared(departure_id)


async def sharing_card(app: LiveApp, departure_id: str) -> dict[str, Any]:
    """The leaver opens sharing (the button on the thank-you and the sent survey): the card
    is posted below; the newest one."""
    answer = await app.press(LEAVER, "sharing.open", {"departure": departure_id})
    assert answer["value"] == app.text("sharing.opened")
    return await app.card_for(LEAVER, app.text("sharing.intro"))


async def ready_to_share(app: LiveApp) -> tuple[Departure, dict[str, Any]]:
    """A booked conversation; HR named Erik as the successor's hiring manager; the leaver's
    sharing card, with nothing shared yet."""
    departure, _ = await booked(app)
    for person in (HIRING, REP):
        await app.say(person, "help")  # they have a chat with the bot
    hr = (await app.press(HR, "sharing.hr", {"departure": departure.id}))["value"]
    named = await app.press_button(HR, hr, "sharing.name", hiring_manager=HIRING.upn)
    assert app.text("sharing.hr_saved") in texts_of(named["value"])
    return departure, await sharing_card(app, departure.id)


def choice(**changes: Any) -> dict[str, Any]:
    """The leaver's inputs as Teams merges them: toggles as "true"/"false"."""
    values = {
        "with_manager": "true",
        "with_hiring_manager": "false",
        "summary": SUMMARY,
        "advice": ADVICE,
        "answers_included": "false",
    }
    return values | changes


def notices_to(app: LiveApp, person: TeamsUser, name: str = "Sofie Andersen") -> list[Any]:
    """The shared-summary cards posted to `person`'s chat (any language)."""
    titles = {app.text("sharing.reader_title", lang, name=name) for lang in ("en", "da", "sv")}
    return [
        card
        for activity in app.sent_to(person)
        for card in cards_of(activity)
        if any(title in texts_of(card) for title in titles)
    ]


async def audited(app: LiveApp, departure_id: str, action: str) -> list[AuditEntry]:
    return [entry for entry in await app.audit(departure_id) if entry.action == action]
