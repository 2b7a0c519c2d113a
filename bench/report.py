"""What bench.turns measured, as one JSON-able dict with the ratios and the verdict, and as text."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import profiles
from bench.drive import Figures

GOAL = 1 / 3  # (c) CPU per turn over (b) CPU per turn


def report(
    args: argparse.Namespace, figures: dict[str, Figures], profiled: dict[str, Any]
) -> dict[str, Any]:
    """Everything measured, with ratios and the verdict on the goal, as one JSON-able dict."""
    a, b, c = figures["a"], figures["b"], figures["c"]
    ratio_cb = c.cpu_ms_per_turn / b.cpu_ms_per_turn if b.cpu_ms_per_turn else float("nan")
    result: dict[str, Any] = {
        "date": now(),
        "machine": machine(),
        "settings": {
            "turns": args.turns,
            "bare_turns": args.bare_turns or 5 * args.turns,
            "concurrency": args.concurrency,
            "warmup": args.warmup,
            "rounds": args.rounds,
            "text": args.text,
        },
        "cases": {
            key: {
                **{k: v for k, v in asdict(f).items() if k != "batches"},
                "requests_per_second": round(f.requests_per_second, 1),
                "cpu_ms_per_turn": round(f.cpu_ms_per_turn, 3),
                "main_thread_cpu_ms_per_turn": round(f.main_thread_cpu_ms_per_turn, 3),
                "cpu_ms_per_turn_batch_range": _batch_range(f),
                "database_server_cpu_ms_per_turn": (
                    None
                    if f.database_cpu_seconds is None
                    else round(1000 * f.database_cpu_seconds / f.turns, 3)
                ),
                "batches": f.batches,
            }
            for key, f in figures.items()
        },
        "ratios": {
            "cpu_c_over_b": round(ratio_cb, 3),
            "cpu_c_over_a": round(c.cpu_ms_per_turn / a.cpu_ms_per_turn, 2),
            "rps_c_over_b": round(c.requests_per_second / b.requests_per_second, 2),
            "rps_c_over_a": round(c.requests_per_second / a.requests_per_second, 4),
        },
        "goal": {"cpu_c_over_b_at_most": round(GOAL, 2), "met": ratio_cb <= GOAL},
        "profiles": profiled,
    }
    if "c-pg" in figures and b.cpu_ms_per_turn:
        result["ratios"]["cpu_cpg_over_b"] = round(
            figures["c-pg"].cpu_ms_per_turn / b.cpu_ms_per_turn, 3
        )
    return result


def now() -> str:
    """The time, UTC, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def machine() -> dict[str, Any]:
    """What the figures were measured on, and how busy it was at the end."""
    return {
        "cpus": os.cpu_count(),
        "processor": _processor(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
    }


def _batch_range(figures: Figures) -> list[float]:
    """The lowest and highest CPU ms per turn among the batches (how noisy the machine was)."""
    per_batch = [1000 * b["cpu_seconds"] / b["turns"] for b in figures.batches if b["turns"]]
    return [round(min(per_batch), 3), round(max(per_batch), 3)] if per_batch else []


def _processor() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def render(result: dict[str, Any]) -> str:
    """The report as a table, the ratios, the verdict and any profiles."""
    lines = [
        f"{result['date']}  {result['machine']['cpus']} CPUs ({result['machine']['processor']}), "
        f"Python {result['machine']['python']}, load avg at end "
        f"{result['machine']['loadavg_at_end']}",
        "settings: " + ", ".join(f"{k}={v}" for k, v in result["settings"].items()),
        "",
        f"{'case':<36} {'turns':>6} {'req/s':>9} {'CPU ms/turn':>12} {'(batches)':>15} "
        f"{'main thread':>12} {'errors':>7} {'replies':>8}",
    ]
    for key, case in result["cases"].items():
        replies = "-" if case["replies"] is None else str(case["replies"])
        low_high = case["cpu_ms_per_turn_batch_range"]
        spread = f"{low_high[0]:.2f}–{low_high[1]:.2f}" if low_high else "-"
        lines.append(
            f"({key}) {case['label']:<{32 - len(key)}} {case['turns']:>6} "
            f"{case['requests_per_second']:>9.1f} {case['cpu_ms_per_turn']:>12.3f} "
            f"{spread:>15} {case['main_thread_cpu_ms_per_turn']:>12.3f} {case['errors']:>7} "
            f"{replies:>8}"
        )
    for key, case in result["cases"].items():
        if (database_ms := case["database_server_cpu_ms_per_turn"]) is not None:
            lines.append(
                f"({key}) the PostgreSQL server's own processes: {database_ms:.3f} ms CPU per turn "
                "on top (not in the column above)"
            )
    ratios = result["ratios"]
    lines += [
        "",
        f"CPU per turn  (c)/(b) = {ratios['cpu_c_over_b']:.3f}   (c)/(a) = "
        f"{ratios['cpu_c_over_a']:.1f}"
        + (f"   (c-pg)/(b) = {ratios['cpu_cpg_over_b']:.3f}" if "cpu_cpg_over_b" in ratios else ""),
        f"requests/s    (c)/(b) = {ratios['rps_c_over_b']:.2f}   (c)/(a) = "
        f"{ratios['rps_c_over_a']:.4f}",
        f"CPU per turn of (c) is {ratios['cpu_c_over_b']:.2f} of (b): goal ≤ 0.33 "
        + ("met" if result["goal"]["met"] else "not met"),
    ]
    for key, found in result["profiles"].items():
        lines += ["", *profiles.render(key, found)]
    return "\n".join(lines)
