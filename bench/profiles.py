"""Where a server's main thread spends its CPU per turn, from cProfile stats and stack samples."""

from __future__ import annotations

import contextlib
import json
import pstats
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# Our packages: the innermost frame from one of them is "who asked for the work".
OWN_PACKAGES = frozenset({"bot", "dialogs", "cards", "config", "journey", "people", "storage"})
# Frames every turn passes through; listing them as "inclusive" says nothing.
PLUMBING = frozenset({"stdlib:asyncio", "stdlib:threading", "stdlib:selectors", "(generated)"})
ENTRY_POINTS = frozenset({"<module>", "main", "serve"})  # the bench server's own start-up frames


def package_of(filename: str) -> str:
    """A short name for the package a code object's file belongs to."""
    if filename.startswith("<") or filename == "~":
        return "(C builtins)" if filename == "~" else "(generated)"
    path = Path(filename)
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1].removesuffix(".py")
    with contextlib.suppress(ValueError):
        return path.resolve().relative_to(REPO).parts[0]
    parent = path.parent.name
    return f"stdlib:{path.stem if parent.startswith('python3') else parent}"


def short_name(filename: str, line: int, function: str) -> str:
    """file:line(function) with the file relative to site-packages or the repository."""
    if filename == "~":
        return function
    path = Path(filename)
    if "site-packages" in path.parts:
        where = "/".join(path.parts[path.parts.index("site-packages") + 1 :])
    else:
        try:
            where = str(path.resolve().relative_to(REPO))
        except ValueError:
            where = path.name
    return f"{where}:{line}({function})"


def cprofile_summary(path: Path, turns: int, top: int) -> dict[str, Any]:
    """Own CPU time per turn by package and by function (cProfile on the main-thread clock)."""
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]]
    raw = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values())
    by_package: Counter[str] = Counter()
    for (filename, _, _), entry in raw.items():
        by_package[package_of(filename)] += entry[2]
    heaviest = sorted(raw.items(), key=lambda item: item[1][2], reverse=True)[:top]
    return {
        "file": str(path),
        "turns": turns,
        "ms_per_turn": _ms(total, turns),
        "own_by_package": {name: _ms(s, turns) for name, s in by_package.most_common()},
        "own_by_function": [
            {
                "function": short_name(*key),
                "calls_per_turn": round(entry[1] / turns, 2),
                "ms_per_turn": _ms(entry[2], turns),
            }
            for key, entry in heaviest
        ],
    }


def samples_summary(path: Path, turns: int, main_cpu_seconds: float, top: int) -> dict[str, Any]:
    """Main-thread CPU per turn charged to functions from stack samples (idle samples dropped).

    `inclusive`: a function's share of busy samples (itself and what it called), in ms/turn.
    `by_own_caller`: each busy sample charged to the innermost frame in our own packages, so
    library work (SQLAlchemy, msrest, aiohttp) lands on the line of ours that asked for it.
    """
    data = json.loads(path.read_text())
    busy: list[tuple[int, list[tuple[str, int, str]]]] = []
    idle = 0
    for stack in data["stacks"]:
        frames = [tuple(frame) for frame in stack["frames"]]
        if frames and _is_idle(frames[0]):
            idle += stack["count"]
        else:
            busy.append((stack["count"], frames))  # type: ignore[arg-type]
    busy_count = sum(count for count, _ in busy) or 1
    # Busy samples share out the main thread's measured CPU time over the batch.
    ms_per_sample = 1000 * main_cpu_seconds / busy_count / turns
    inclusive: Counter[tuple[str, int, str]] = Counter()
    by_caller: Counter[str] = Counter()
    by_leaf_package: Counter[str] = Counter()
    for count, frames in busy:
        for frame in set(frames):
            inclusive[frame] += count
        by_leaf_package[package_of(frames[0][0]) if frames else "?"] += count
        own = next((f for f in frames if package_of(f[0]) in OWN_PACKAGES), None)
        by_caller[short_name(*own) if own else "(outside our packages)"] += count
    listed = [
        (frame, count)
        for frame, count in inclusive.most_common()
        if package_of(frame[0]) not in PLUMBING
        and not (package_of(frame[0]) == "bench" and frame[2] in ENTRY_POINTS)
    ][:top]
    return {
        "file": str(path),
        "turns": turns,
        "busy_samples": busy_count,
        "idle_samples": idle,
        "main_thread_ms_per_turn": _ms(main_cpu_seconds, turns),
        "by_leaf_package": {
            name: round(count * ms_per_sample, 3) for name, count in by_leaf_package.most_common()
        },
        "by_own_caller": {
            name: round(count * ms_per_sample, 3) for name, count in by_caller.most_common(top)
        },
        "inclusive": [
            {"function": short_name(*frame), "ms_per_turn": round(count * ms_per_sample, 3)}
            for frame, count in listed
        ],
    }


def _is_idle(leaf: tuple[str, int, str]) -> bool:
    # The loop waiting in epoll: the leaf Python frame is selectors' select().
    return package_of(leaf[0]) == "stdlib:selectors" and leaf[2] == "select"


def _ms(seconds: float, turns: int) -> float:
    return round(1000 * seconds / turns, 3) if turns else 0.0


def render(key: str, profile: dict[str, Any], rows: int = 15) -> list[str]:
    """Text lines for one case's profiles."""
    lines: list[str] = []
    if cp := profile.get("cprofile"):
        lines += [
            f"cProfile of ({key}), {cp['turns']} turns, main-thread CPU clock, "
            f"{cp['ms_per_turn']:.2f} ms/turn with profiler overhead ({cp['file']})",
            "  own time by package (ms/turn):",
            *(f"    {ms:8.3f}  {name}" for name, ms in list(cp["own_by_package"].items())[:rows]),
            "  own time by function (ms/turn, calls/turn):",
            *(
                f"    {e['ms_per_turn']:8.3f} {e['calls_per_turn']:7.2f}  {e['function']}"
                for e in cp["own_by_function"][:rows]
            ),
        ]
    if sp := profile.get("samples"):
        lines += [
            f"stack samples of ({key}), {sp['turns']} turns: main thread "
            f"{sp['main_thread_ms_per_turn']:.2f} ms/turn CPU, {sp['busy_samples']} busy and "
            f"{sp['idle_samples']} idle samples ({sp['file']})",
            "  by innermost frame of ours (ms/turn, library work included):",
            *(f"    {ms:8.3f}  {name}" for name, ms in list(sp["by_own_caller"].items())[:rows]),
            "  by package of the innermost frame (ms/turn):",
            *(f"    {ms:8.3f}  {name}" for name, ms in list(sp["by_leaf_package"].items())[:rows]),
            "  inclusive (ms/turn):",
            *(f"    {e['ms_per_turn']:8.3f}  {e['function']}" for e in sp["inclusive"]),
        ]
    return lines
