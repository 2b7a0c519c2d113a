"""Insights at scale: 100,000 synthetic departures with answers, 200 units, 5 years.

Times what the `insights` command and `exitbot insights export` do after the data is there:
the counts in SQL, the report with small-group protection, the card (and its JSON size), and
the export as CSV and as Excel. The card must come back well inside Teams' 15-second window.

    .venv/bin/python -m bench.insights [--departures 100000] [--units 200] [--years 5]
                                       [--database sqlite|postgres] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from cards.insights import Choice, insights_card
from cards.locale import Speaker
from cli.insights import export_rows, write_csv, write_xlsx
from config.insights import insights_rules, reportable_questions
from config.loader import default_config_dir, load_config
from journey.insights_service import gather, offered_periods
from journey.periods import Period, Tiling
from journey.survey import Attribution
from storage.database import Database
from storage.insights import SqlInsightsSource
from storage.migrate import upgrade
from storage.tables import survey_answers
from testkit.insights_seed import RATINGS, Leaver, seed
from testkit.pg_server import PostgresServer

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)
REASONS = ("new_challenge", "career", "pay", "leadership", "workload", "personal", "other")


def synthetic(count: int, units: int, years: int, rng: random.Random) -> list[Leaver]:
    """Departures spread over `years` back from TODAY, unit sizes skewed (some units are tiny)."""
    weights = [1 / (i + 1) ** 0.8 for i in range(units)]
    names = [f"unit-{i:03d}" for i in range(units)]
    span = years * 365
    leavers = []
    for unit in rng.choices(names, weights, k=count):
        answers: dict[str, Any] = {}
        if rng.random() < 0.6:
            answers = {q: str(rng.randint(1, 5)) for q in RATINGS if rng.random() < 0.9}
            answers["reasons"] = rng.sample(REASONS, rng.randint(1, 3))
            answers["recommend"] = rng.choice(("yes", "yes", "no"))
            if rng.random() < 0.3:
                answers["stay"] = "More say in planning the rota, and fewer meetings."
        leavers.append(
            Leaver(
                unit,
                TODAY - timedelta(days=rng.randrange(span)),
                manager=f"boss-{unit}@contoso.example",
                accepted=rng.random() < 0.7,
                status=rng.choice(("held", "closed", "declined", "booked")),
                answers=answers,
                attribution=rng.choice(list(Attribution)),
                sent=rng.random() < 0.95,
            )
        )
    return leavers


async def _timed(what: str, timings: dict[str, list[float]], action: Any) -> Any:
    started = time.perf_counter()
    result = await action()
    timings.setdefault(what, []).append(time.perf_counter() - started)
    return result


class _Reports:
    """The card and the export, built as the `insights` command and `insights export` do."""

    def __init__(self, db: Database, out_dir: Path) -> None:
        self.config = load_config(default_config_dir())
        self.source = SqlInsightsSource(db)
        self.questions = reportable_questions(self.config)
        self.rules = insights_rules(self.config)
        self.out_dir = out_dir
        self.sizes: dict[str, int] = {}

    async def card(self, unit: str | None) -> dict[str, Any]:
        """HR's card for the newest whole period, for one unit or (None) the organisation."""
        newest = offered_periods(self.rules, TODAY)[0]
        found = await gather(self.source, newest, unit, self.questions, self.rules, comment_limit=5)
        return insights_card(
            Speaker(self.config, "da-DK"),
            found,
            scope_title=unit or "organisation",
            units=[Choice("all", "all")],
            unit_value=unit or "all",
            periods=[Choice(str(newest.first), "newest")],
            period_value=str(newest.first),
            min_answers=self.rules.min_answers,
        )

    async def export(self, suffix: str) -> None:
        """Last year of the organisation (a whole year: issue 14) as a CSV or an Excel file;
        its size is noted."""
        rules = self.rules.model_copy(update={"period": Tiling.YEAR})
        period = Period.year(TODAY.year - 1)
        found = await gather(self.source, period, None, self.questions, rules)
        rows = export_rows(self.config, found)
        target = self.out_dir / f"insights{suffix}"
        (write_csv if suffix == ".csv" else write_xlsx)(target, rows)
        self.sizes[f"export{suffix} bytes"] = target.stat().st_size


async def _measure(db: Database, args: argparse.Namespace, out_dir: Path) -> dict[str, Any]:
    """Time the cards and the exports `args.repeat` times each."""
    reports = _Reports(db, out_dir)
    timings: dict[str, list[float]] = {}
    tiny = f"unit-{args.units - 1:03d}"
    for _ in range(args.repeat):
        org = await _timed("organisation card", timings, lambda: reports.card(None))
        await _timed("unit card (largest unit)", timings, lambda: reports.card("unit-000"))
        await _timed("unit card (a tiny unit)", timings, lambda: reports.card(tiny))
        await _timed("export 1 year, csv", timings, lambda: reports.export(".csv"))
        await _timed("export 1 year, xlsx", timings, lambda: reports.export(".xlsx"))
    reports.sizes["card JSON bytes"] = len(json.dumps(org, ensure_ascii=False).encode())
    async with db.sessions() as session:
        answers = (
            await session.execute(select(func.count()).select_from(survey_answers))
        ).scalar_one()
    return {
        "answers": answers,
        "timings_s": {k: [round(v, 3) for v in vs] for k, vs in timings.items()},
        "sizes": reports.sizes,
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Seed a fresh database with synthetic departures, then time the reports on it."""
    server = PostgresServer.start() if args.database == "postgres" else None
    scratch = tempfile.TemporaryDirectory(prefix="exitbot-insights-")
    try:
        url = (
            await server.create_database()
            if server
            else f"sqlite+aiosqlite:///{Path(scratch.name) / 'insights.sqlite3'}"
        )
        await upgrade(url)
        leavers = synthetic(args.departures, args.units, args.years, random.Random(7))
        async with await Database.open(url) as db:
            started = time.perf_counter()
            await seed(db, leavers)
            load_s = time.perf_counter() - started
            measured = await _measure(db, args, Path(scratch.name))
        return {
            "database": args.database,
            "departures": args.departures,
            "units": args.units,
            "years": args.years,
            "answers": measured["answers"],
            "load_s": round(load_s, 1),
            "timings_s": measured["timings_s"],
            "sizes": measured["sizes"],
        }
    finally:
        scratch.cleanup()
        if server is not None:
            server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departures", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"{result['database']}: {result['departures']:,} departures, {result['answers']:,} "
        f"answers, {result['units']} units, {result['years']} years (loaded in "
        f"{result['load_s']} s)"
    )
    for what, values in result["timings_s"].items():
        print(f"  {what:<28} best {min(values):6.3f} s   worst {max(values):6.3f} s")
    for what, size in result["sizes"].items():
        print(f"  {what:<28} {size:,}")
    worst_card = max(max(v) for k, v in result["timings_s"].items() if "card" in k)
    print(f"  slowest card: {worst_card:.2f} s of Teams' 15 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
