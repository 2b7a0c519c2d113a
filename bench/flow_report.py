"""What bench.flow measured, per turn type, with the issue's goals next to the figures: as one
JSON-able dict, and as text."""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Any

from bench.flow_rig import Batch
from bench.report import machine, now

# Issue 13's goals.
SUBMIT_CPU_MS = 3.0  # every card submit, on SQLite
ECHO_OVER_SUBMIT = 4.0  # every card submit at least this many times cheaper than echo
HELP_OVER_ECHO = 0.25
STATEMENTS_PER_CLICK = 6
START_OVER_IMPORT = 1.5
RSS_MB = 120.0
KINDS_SHOWN = 8  # statement kinds listed per turn type


def _per_turn(value: float, turns: int, scale: float = 1000.0) -> float | None:
    return round(scale * value / turns, 3) if turns else None


def turn_type(batch: Batch) -> dict[str, Any]:
    """One turn type's figures, per turn."""
    turns, sql, echo = batch.turns, batch.statements, batch.echo
    cpu_ms = _per_turn(batch.cpu_seconds, turns)
    echo_ms = echo.cpu_ms_per_turn if echo.turns else None
    kinds = sorted(sql.kinds.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "turn": batch.name,
        "turns": turns,
        "cpu_ms": cpu_ms,
        "main_thread_cpu_ms": _per_turn(batch.main_cpu_seconds, turns),
        "cpu_ms_after": _per_turn(batch.settle_cpu_seconds, turns),
        "database_server_cpu_ms": (
            None
            if batch.database_cpu_seconds is None
            else _per_turn(batch.database_cpu_seconds, turns)
        ),
        "echo_cpu_ms": round(echo_ms, 3) if echo_ms else None,
        "echo_over_turn": round(echo_ms / cpu_ms, 2) if echo_ms and cpu_ms else None,
        "statements": _per_turn(sql.turn, turns, 1.0),
        "statements_max": max(sql.per_turn, default=None),
        "statements_after": _per_turn(sql.after, turns, 1.0),
        "statements_other": _per_turn(sql.other, turns, 1.0),
        "statements_histogram": {str(k): v for k, v in sorted(sql.per_turn.items())},
        "statement_kinds": {k: round(v / turns, 2) for k, v in kinds} if turns else {},
        "errors": dict(batch.errors),
    }


def _merged(batches: list[Batch]) -> list[Batch]:
    """One batch per turn type (the sections' survey.next batches add up), in order."""
    merged: dict[str, Batch] = {}
    for batch in batches:
        merged.setdefault(batch.name, Batch(batch.name)).add(batch)
    return list(merged.values())


def is_submit(name: str) -> bool:
    return not name.startswith("message")


def database_result(
    database: str,
    batches: list[Batch],
    mixed: dict[str, Any] | None,
    stuck: list[str],
    finished: int,
    setup_errors: dict[str, int],
) -> dict[str, Any]:
    """One database's run (setup_errors: of the first, unmeasured turns)."""
    merged = _merged(batches)
    submits = Batch("all card submits")
    for batch in merged:
        if is_submit(batch.name):
            submits.add(batch)
    errors = sum(sum(b.errors.values()) for b in batches) + sum(setup_errors.values())
    if mixed:
        errors += sum(mixed["errors"].values())
    return {
        "database": database,
        "leavers_through": finished,
        "stuck": dict(Counter(stuck)),
        "setup_errors": setup_errors,
        "turn_types": [turn_type(b) for b in merged],
        "all_submits": turn_type(submits),
        "mixed": mixed,
        "errors": errors,
    }


def _goal(goal: str, figure: str, met: bool | None) -> dict[str, Any]:
    return {"goal": goal, "figure": figure, "met": met}


def goals(run: dict[str, Any], started: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's goals against one database's figures (start-to-ready is the same for both)."""
    types = {t["turn"]: t for t in run["turn_types"]}
    submits = [t for name, t in types.items() if is_submit(name) and t["turns"]]
    worst_cpu = max(submits, key=lambda t: t["cpu_ms"] or 0.0, default=None)
    worst_ratio = min(submits, key=lambda t: t["echo_over_turn"] or 0.0, default=None)
    worst_sql = max(submits, key=lambda t: t["statements_max"] or 0, default=None)
    found = []
    if worst_cpu is not None and worst_ratio is not None and worst_sql is not None:
        found += [
            _goal(
                f"every card submit ≤ {SUBMIT_CPU_MS:g} ms CPU",
                f"worst {worst_cpu['turn']} {worst_cpu['cpu_ms']:.2f} ms",
                (worst_cpu["cpu_ms"] or 0.0) <= SUBMIT_CPU_MS,
            ),
            _goal(
                f"every card submit ≥ {ECHO_OVER_SUBMIT:g}× cheaper than echo",
                f"worst {worst_ratio['turn']} echo ÷ turn {worst_ratio['echo_over_turn']}",
                (worst_ratio["echo_over_turn"] or 0.0) >= ECHO_OVER_SUBMIT,
            ),
            _goal(
                f"≤ {STATEMENTS_PER_CLICK} SQL statements for any click",
                f"most {worst_sql['statements_max']} ({worst_sql['turn']})",
                (worst_sql["statements_max"] or 0) <= STATEMENTS_PER_CLICK,
            ),
        ]
    if (help_turn := types.get("message 'help'")) and help_turn["echo_over_turn"]:
        help_over_echo = 1 / help_turn["echo_over_turn"]
        found.append(
            _goal(
                f"help ≤ {HELP_OVER_ECHO:g} of echo",
                f"help ÷ echo {help_over_echo:.2f}",
                help_over_echo <= HELP_OVER_ECHO,
            )
        )
    found.append(_goal("0 errors", f"{run['errors']} errors", run["errors"] == 0))
    found.append(
        _goal(
            f"start to ready ≤ {START_OVER_IMPORT:g}× the botbuilder import",
            f"{started['serve_ready_seconds']:.2f} s ÷ {started['import_botbuilder_seconds']:.2f} s"
            f" = {started['ratio']:.2f}×",
            started["ratio"] <= START_OVER_IMPORT,
        )
    )
    if run["mixed"]:
        rss = run["mixed"]["rss_mb_after"]
        found.append(
            _goal(
                f"RSS ≤ {RSS_MB:g} MB after {run['mixed']['turns']:,} mixed turns",
                f"{rss:.1f} MB",
                rss <= RSS_MB,
            )
        )
    return found


def result(
    args: argparse.Namespace, started: dict[str, Any], runs: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Everything measured, with the goals, as one JSON-able dict."""
    for run in runs.values():
        run["goals"] = goals(run, started)
    return {
        "date": now(),
        "machine": machine(),
        "settings": {
            "leavers": args.leavers,
            "concurrency": args.concurrency,
            "rss_turns": args.rss_turns,
            "burn": args.burn,
            "postgres": bool(args.postgres),
        },
        "start": started,
        "runs": runs,
        "errors": sum(run["errors"] for run in runs.values()),
    }


def render(result: dict[str, Any]) -> str:
    """The report as text: per database a table per turn type, the statements, the goals."""
    machine_, settings = result["machine"], result["settings"]
    lines = [
        f"{result['date']}  {machine_['cpus']} CPUs ({machine_['processor']}), Python "
        f"{machine_['python']}, load avg at end {machine_['loadavg_at_end']}",
        "settings: " + ", ".join(f"{k}={v}" for k, v in settings.items()),
        f"start to ready: exitbot serve {result['start']['serve_ready_seconds']:.3f} s, import "
        f"botbuilder.core {result['start']['import_botbuilder_seconds']:.3f} s: "
        f"{result['start']['ratio']:.2f}× (median of {result['start']['repeat']})",
    ]
    for run in result["runs"].values():
        lines += ["", *_render_run(run)]
    return "\n".join(lines)


def _render_run(run: dict[str, Any]) -> list[str]:
    database = run["database"]
    lines = [
        f"== {database}: {run['leavers_through']} leavers through the flow"
        + (f"; stuck: {run['stuck']}" if run["stuck"] else ""),
        f"{'turn':<20} {'turns':>6} {'CPU ms':>8} {'after':>7} {'echo ms':>8} {'echo÷turn':>10} "
        f"{'SQL/turn':>9} {'max':>4} {'after':>6} {'other':>6} {'errors':>7}",
    ]
    for t in [*run["turn_types"], run["all_submits"]]:
        lines.append(
            f"{t['turn']:<20} {t['turns']:>6} {_num(t['cpu_ms'], 2, 8)} "
            f"{_num(t['cpu_ms_after'], 2, 7)} {_num(t['echo_cpu_ms'], 2, 8)} "
            f"{_num(t['echo_over_turn'], 2, 10)} {_num(t['statements'], 1, 9)} "
            f"{t['statements_max'] if t['statements_max'] is not None else '-':>4} "
            f"{_num(t['statements_after'], 1, 6)} {_num(t['statements_other'], 1, 6)} "
            f"{sum(t['errors'].values()):>7}"
        )
    database_ms = [
        f"{t['turn']} {t['database_server_cpu_ms']:.2f}"
        for t in run["turn_types"]
        if t["database_server_cpu_ms"] is not None
    ]
    if database_ms:
        lines.append(
            "PostgreSQL's own processes, CPU ms per turn on top: " + ", ".join(database_ms)
        )
    lines += ["", "statements per turn (in the turn; count × turns) and their kinds per turn:"]
    for t in run["turn_types"]:
        histogram = "  ".join(f"{k}×{v}" for k, v in t["statements_histogram"].items())
        kinds = list(t["statement_kinds"].items())
        shown = ", ".join(f"{kind} {per:g}" for kind, per in kinds[:KINDS_SHOWN])
        more = f", … {len(kinds) - KINDS_SHOWN} more" if len(kinds) > KINDS_SHOWN else ""
        lines.append(f"  {t['turn']:<20} {histogram}")
        lines.append(f"  {'':<20} {shown}{more}")
    errors = {t["turn"]: t["errors"] for t in run["turn_types"] if t["errors"]}
    if run["setup_errors"]:
        errors["not measured (first help, cards posted)"] = run["setup_errors"]
    if errors:
        lines += ["", f"errors: {errors}"]
    if mixed := run["mixed"]:
        lines += [
            "",
            f"{mixed['turns']:,} mixed turns (help, survey, the survey card again): "
            f"{mixed['cpu_ms_per_turn']:.2f} ms CPU per turn, errors {mixed['errors'] or 0}; "
            f"RSS {mixed['rss_mb_before']:.1f} MB before, {mixed['rss_mb_after']:.1f} MB after "
            f"(peak {mixed['rss_mb_peak']:.1f} MB)",
        ]
    lines += ["", f"goals ({database}):"]
    for goal in run["goals"]:
        verdict = {True: "met", False: "NOT met", None: "-"}[goal["met"]]
        lines.append(f"  {goal['goal']:<46} {goal['figure']:<44} {verdict}")
    return lines


def _num(value: float | None, digits: int, width: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.{digits}f}"
