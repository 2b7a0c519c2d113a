"""Departures registered outside the service (the CSV import) still get the journey: the
import records its events in the database, and the running service acts on them once."""

from __future__ import annotations

from bot.typedefs import DATABASE, PEOPLE
from journey.registration import RegistrationService
from journey.registration_rules import RegistrationRequest
from storage.departure_events import StoredDepartureEvents
from storage.repositories import SqlAuditLog, SqlDepartureRepository
from tests.helpers.journey import HR, LAST_DAY, LEAVER, MANAGER, LiveApp, cards_of, verbs_of


def _import_door(app: LiveApp) -> tuple[RegistrationService, StoredDepartureEvents]:
    """The registration service as `exitbot departures import` builds it, on the same DB."""
    db = app.app[DATABASE]
    events = StoredDepartureEvents(db, app.clock)
    service = RegistrationService(
        SqlDepartureRepository(db, app.clock),
        app.app[PEOPLE].directory,
        lambda: app.config,
        app.clock,
        SqlAuditLog(db),
        events,
    )
    return service, events


def _request() -> RegistrationRequest:
    return RegistrationRequest(
        leaver=LEAVER.upn,
        manager=MANAGER.upn,
        unit="social-care",
        last_working_day=LAST_DAY,
        external_id="HR-77",
    )


async def test_an_imported_departure_gets_its_offer_from_the_service(app: LiveApp) -> None:
    await app.say(LEAVER, "hej", locale="da-DK")  # the bot knows how to reach her
    service, events = _import_door(app)
    outcome = await service.register(_request(), HR.upn, door="csv")
    assert outcome.departure is not None

    offer = await app.card_for(LEAVER, app.text("offer.title", "da"))
    assert "offer.accept" in verbs_of(offer)
    await app.until(lambda: _pending_is(events, 0), what="the event is marked done")
    offers = [a for a in app.sent_to(LEAVER) for c in cards_of(a) if "offer.accept" in verbs_of(c)]
    assert len(offers) == 1
    stored = await app.departure(outcome.departure.id)
    assert stored.status.value == "offered"


async def test_an_import_that_cancels_withdraws_the_offer(app: LiveApp) -> None:
    await app.say(LEAVER, "hej", locale="da-DK")
    service, events = _import_door(app)
    outcome = await service.register(_request(), HR.upn, door="csv")
    assert outcome.departure is not None
    await app.card_for(LEAVER, app.text("offer.title", "da"))
    await app.until(
        lambda: _has_leaver_card(app, outcome.departure.id), what="the offer card is tracked"
    )

    cancelled = await service.cancel_external("HR-77", HR.upn, door="csv")
    assert cancelled.departure is not None and cancelled.departure.status.value == "cancelled"
    # The service replaces the offer card in the leaver's chat: nothing left to press.
    await app.until(lambda: _updated(app), what="the offer card is replaced")
    [update] = [r for r in app.requests("PUT", "/activities/") if r.body]
    assert all("offer.accept" not in verbs_of(c) for c in cards_of(update.body))
    await app.until(lambda: _pending_is(events, 0))


async def _pending_is(events: StoredDepartureEvents, count: int) -> bool:
    return await events.pending() == count


async def _has_leaver_card(app: LiveApp, departure_id: str) -> bool:
    return "leaver" in (await app.departure(departure_id)).cards


async def _updated(app: LiveApp) -> bool:
    return bool(app.requests("PUT", "/activities/"))
