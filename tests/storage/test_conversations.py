"""Conversation references: upsert by user key, lookup by UPN in any case."""

from __future__ import annotations

from datetime import timedelta

from journey.clock import FixedClock
from storage.conversations import SqlConversationRefStore
from storage.database import Database
from tests.storage.samples import T0, conversation_ref


async def test_save_then_get_returns_every_field(db: Database) -> None:
    store = SqlConversationRefStore(db, FixedClock(T0))
    ref = conversation_ref()

    await store.save(ref)

    assert await store.get(ref.user_key) == ref.model_copy(update={"updated_at": T0})
    assert await store.get("someone-else") is None


async def test_save_again_replaces_the_stored_reference(db: Database) -> None:
    clock = FixedClock(T0)
    store = SqlConversationRefStore(db, clock)
    await store.save(conversation_ref())
    clock.advance(days=1)
    moved = conversation_ref(
        conversation_id="a:1new-chat",
        service_url="https://smba.trafficmanager.net/dk/",
        locale="en-US",
        name=None,
    )

    await store.save(moved)

    loaded = await store.get(moved.user_key)
    assert loaded == moved.model_copy(update={"updated_at": T0 + timedelta(days=1)})


async def test_find_by_upn_ignores_case(db: Database) -> None:
    store = SqlConversationRefStore(db)
    await store.save(conversation_ref(upn="Ida.Leaver@Contoso.DK"))
    await store.save(conversation_ref(user_key="other", upn="someone@contoso.dk"))

    found = await store.find_by_upn("ida.LEAVER@contoso.dk")

    assert found is not None and found.user_key == conversation_ref().user_key
    assert await store.find_by_upn("nobody@contoso.dk") is None


async def test_find_by_upn_prefers_the_newest_reference(db: Database) -> None:
    clock = FixedClock(T0)
    store = SqlConversationRefStore(db, clock)
    await store.save(conversation_ref(user_key="old-teams-id", upn="ida@contoso.dk"))
    clock.advance(minutes=5)
    await store.save(conversation_ref(user_key="aad-object-id", upn="IDA@contoso.dk"))

    found = await store.find_by_upn("ida@contoso.dk")

    assert found is not None and found.user_key == "aad-object-id"
