"""HR's `status` list at scale: ms (wall and CPU) per status card at 1,000 and 10,000
departures, card bytes.

Each size gets a fresh database seeded with testkit.hr_list_seed (every state, three units,
Æ/Ø/Å names); then the list HR sees first, a filtered page, a page deep in the list and a name
search are each drawn as the `status` command and the list's buttons draw them: the query
(journey.hr_status.hr_list over storage.hr_list) and the card (cards.status.hr_card).
Teams takes a card of at most 28 KB of JSON.

    .venv/bin/python -m bench.hr_status [--sizes 1000 10000] [--database sqlite|postgres]
                                        [--repeat 20] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cards.locale import Speaker
from cards.status import HrListView, hr_card
from config.loader import default_config_dir, load_config
from journey.access import Asker
from journey.departure import DepartureStatus
from journey.hr_status import HrQuery, hr_list
from storage.database import Database
from storage.departures import SqlDepartureRepository
from storage.migrate import upgrade
from testkit import hr_list_seed
from testkit.pg_server import PostgresServer

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
HR = Asker(user_id="bench-hr", upn="hr@contoso.example", is_hr=True)
TEAMS_CARD_LIMIT = 28_000
QUERIES = {
    "first page": HrQuery(),
    "unit + needs attention": HrQuery(unit="home-care", attention=True),
    "page 10": HrQuery(page=10),
    "state booked": HrQuery(state=DepartureStatus.BOOKED),
    "search 'østergaard'": HrQuery(search="østergaard"),
}


async def _card(repo: SqlDepartureRepository, query: HrQuery, view: dict[str, Any]) -> bytes:
    page = await hr_list(repo, HR, query, NOW, NOW.date())
    assert page is not None
    card = hr_card(view["say"], HrListView(page=page, units=view["units"]))
    return json.dumps(card, ensure_ascii=False).encode()


async def _measure(db: Database, repeat: int) -> dict[str, dict[str, float]]:
    """Best and median ms per card, and its bytes, for each query."""
    config = load_config(default_config_dir())
    view = {
        "say": Speaker(config, "da-DK"),
        "units": [(unit, config.unit_name(unit) or unit) for unit in config.unit_ids],
    }
    repo = SqlDepartureRepository(db)
    figures: dict[str, dict[str, float]] = {}
    for name, query in QUERIES.items():
        await _card(repo, query, view)  # warm the connection and the statement cache
        times, cpu, size = [], [], 0
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            size = len(await _card(repo, query, view))
            times.append((time.perf_counter() - started) * 1000)
            # This process's CPU, SQLite's thread included: what a noisy neighbour leaves alone.
            cpu.append((time.process_time() - started_cpu) * 1000)
        figures[name] = {
            "best_ms": round(min(times), 2),
            "median_ms": round(statistics.median(times), 2),
            "cpu_ms": round(statistics.median(cpu), 2),
            "bytes": size,
        }
    return figures


async def _one_size(url: str, count: int, repeat: int) -> dict[str, Any]:
    await upgrade(url)
    async with await Database.open(url) as db:
        started = time.perf_counter()
        await SqlDepartureRepository(db).add_many(hr_list_seed.departures(count, NOW.date(), NOW))
        load_s = time.perf_counter() - started
        return {"departures": count, "load_s": round(load_s, 1), **await _measure(db, repeat)}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """A fresh database per size, seeded, then every query timed."""
    server = PostgresServer.start() if args.database == "postgres" else None
    scratch = tempfile.TemporaryDirectory(prefix="exitbot-hr-status-")
    try:
        results = []
        for count in args.sizes:
            url = (
                await server.create_database()
                if server
                else f"sqlite+aiosqlite:///{Path(scratch.name) / f'hr-{count}.sqlite3'}"
            )
            results.append(await _one_size(url, count, args.repeat))
        return {"database": args.database, "sizes": results}
    finally:
        scratch.cleanup()
        if server is not None:
            server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    worst_bytes = 0
    for size in result["sizes"]:
        seeded = f"seeded in {size['load_s']} s"
        print(f"{result['database']}: {size['departures']:,} departures ({seeded})")
        for name in QUERIES:
            f = size[name]
            worst_bytes = max(worst_bytes, int(f["bytes"]))
            print(
                f"  {name:<24} best {f['best_ms']:7.2f} ms   median {f['median_ms']:7.2f} ms"
                f"   CPU {f['cpu_ms']:7.2f} ms   card {int(f['bytes']):>6,} bytes"
            )
    print(f"  largest card: {worst_bytes:,} bytes of Teams' {TEAMS_CARD_LIMIT:,}")
    return 0 if worst_bytes < TEAMS_CARD_LIMIT else 1


if __name__ == "__main__":
    raise SystemExit(main())
