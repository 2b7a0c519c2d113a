"""The document store: eTag optimistic concurrency, plain JSON in and out."""

from __future__ import annotations

import asyncio

import pytest

from journey.ports import ConcurrentUpdate
from storage.database import Database
from storage.documents import DocumentStore

STATE = {"dialogStack": [{"id": "survey", "state": {"step": 2}}], "locale": "nb", "n": 1.5}


async def test_write_then_read(db: Database) -> None:
    store = DocumentStore(db)
    etag = await store.write("conv/1", STATE)

    assert await store.read(["conv/1", "missing"]) == {"conv/1": (etag, STATE)}
    assert await store.read([]) == {}


async def test_write_with_stale_etag_is_refused(db: Database) -> None:
    store = DocumentStore(db)
    first = await store.write("conv/1", {"v": 1})
    second = await store.write("conv/1", {"v": 2}, expected_etag=first)
    assert second != first

    with pytest.raises(ConcurrentUpdate):
        await store.write("conv/1", {"v": 3}, expected_etag=first)

    assert await store.read(["conv/1"]) == {"conv/1": (second, {"v": 2})}


async def test_star_or_no_etag_overwrites(db: Database) -> None:
    store = DocumentStore(db)
    await store.write("k", {"v": 1})
    await store.write("k", {"v": 2}, expected_etag="*")
    etag = await store.write("k", {"v": 3})
    assert await store.read(["k"]) == {"k": (etag, {"v": 3})}


async def test_etag_for_a_deleted_document_is_refused(db: Database) -> None:
    store = DocumentStore(db)
    etag = await store.write("k", {"v": 1})
    await store.delete(["k", "never-written"])
    assert await store.read(["k"]) == {}
    with pytest.raises(ConcurrentUpdate):
        await store.write("k", {"v": 2}, expected_etag=etag)


async def test_concurrent_writers_with_the_same_etag_one_wins(db: Database) -> None:
    store = DocumentStore(db)
    etag = await store.write("k", {"v": 0})
    results = await asyncio.gather(
        *(store.write("k", {"v": n}, expected_etag=etag) for n in range(1, 7)),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, str)]
    assert len(winners) == 1, results
    stored_etag, _ = (await store.read(["k"]))["k"]
    assert stored_etag == winners[0]


async def test_only_plain_json_is_stored(db: Database) -> None:
    with pytest.raises(TypeError, match="not plain JSON"):
        await DocumentStore(db).write("k", {"when": object()})
