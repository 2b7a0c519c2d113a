"""Where a server spends its CPU per turn, from cProfile stats and py-spy's stack samples."""

from __future__ import annotations

import contextlib
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
    if not path.is_absolute():  # a torn read by py-spy --nonblocking
        return "?"
    if "site-packages" in path.parts[:-1]:
        return path.parts[path.parts.index("site-packages") + 1].removesuffix(".py")
    with contextlib.suppress(ValueError):
        inside = path.relative_to(REPO).parts
        return inside[0] if inside else "?"
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
            where = str(path.relative_to(REPO))
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


def pyspy_summary(
    path: Path, turns: int, cpu_seconds: float, main_cpu_seconds: float, top: int
) -> dict[str, Any]:
    """CPU per turn charged to functions from py-spy's raw samples (`record -f raw -t -F`).

    Samples only say where each busy thread was; the measured CPU of the batch (main thread,
    and the rest of the process) is shared out in proportion to them.
    `by_own_caller` charges each main-thread sample to the innermost frame in our own packages,
    so library work (SQLAlchemy, msrest, aiohttp) lands on the line of ours that asked for it.
    """
    main: list[tuple[int, list[str]]] = []
    other_threads = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        thread, *frames = stack.split(";")
        if not thread.endswith("MainThread"):
            other_threads += int(count)
        elif frames and not _waiting(frames[-1]):
            main.append((int(count), frames[::-1]))  # innermost first
    main_samples = sum(count for count, _ in main) or 1
    per_sample = 1000 * main_cpu_seconds / main_samples / turns
    inclusive: Counter[str] = Counter()
    by_caller: Counter[str] = Counter()
    by_leaf_package: Counter[str] = Counter()
    for count, frames in main:
        parsed = [_pyspy_frame(frame) for frame in frames]
        for frame in set(parsed):
            inclusive[frame] += count
        by_leaf_package[package_of(parsed[0][0]) if parsed else "?"] += count
        own = next((f for f in parsed if package_of(f[0]) in OWN_PACKAGES), None)
        by_caller[short_name(*own) if own else _unowned(parsed)] += count
    listed = [
        (frame, count)
        for frame, count in inclusive.most_common()
        if package_of(frame[0]) not in PLUMBING
        and not (package_of(frame[0]) == "bench" and frame[2] in ENTRY_POINTS)
    ][:top]

    def ms(counts: Counter[str] | Counter[tuple[str, int, str]], limit: int | None) -> Any:
        return {name: round(n * per_sample, 3) for name, n in counts.most_common(limit)}

    return {
        "file": str(path),
        "turns": turns,
        "main_thread_samples": main_samples,
        "other_thread_samples": other_threads,
        "main_thread_ms_per_turn": _ms(main_cpu_seconds, turns),
        "other_threads_ms_per_turn": _ms(max(cpu_seconds - main_cpu_seconds, 0.0), turns),
        "by_leaf_package": ms(by_leaf_package, None),
        "by_own_caller": ms(by_caller, top),
        "inclusive": [
            {"function": short_name(*frame), "ms_per_turn": round(count * per_sample, 3)}
            for frame, count in listed
        ],
    }


def _unowned(frames: list[tuple[str, int, str]]) -> str:
    if frames and package_of(frames[-1][0]) == "sqlalchemy":
        # SQLAlchemy runs its sync core in a greenlet, whose stack py-spy sees cut off from ours.
        return "(SQLAlchemy in a greenlet: py-spy cannot see which call of ours)"
    return f"(no frame of ours; innermost in {package_of(frames[0][0]) if frames else '?'})"


def _waiting(leaf: str) -> bool:
    # The loop in epoll_wait, or just woken and not yet on a CPU: py-spy cannot tell them apart
    # on a busy machine, and neither is work of the turn.
    return leaf.startswith(("BaseSelectorEpoll.select ", "EpollSelector.select ", "select "))


def _pyspy_frame(frame: str) -> tuple[str, int, str]:
    """`Class.method (/path/file.py:12)` as (file, line, function)."""
    name, _, where = frame.rpartition(" (")
    filename, _, line = where.rstrip(")").rpartition(":")
    return filename, int(line) if line.isdigit() else 0, name


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
    if sp := profile.get("pyspy"):
        lines += [
            f"py-spy of ({key}), {sp['turns']} turns: main thread "
            f"{sp['main_thread_ms_per_turn']:.2f} ms/turn CPU "
            f"({sp['main_thread_samples']} samples), other threads "
            f"{sp['other_threads_ms_per_turn']:.2f} ms/turn ({sp['other_thread_samples']} samples)"
            f" ({sp['file']})",
            "  main thread by innermost frame of ours (ms/turn, library work included):",
            *(f"    {ms:8.3f}  {name}" for name, ms in list(sp["by_own_caller"].items())[:rows]),
            "  main thread by package of the innermost frame (ms/turn):",
            *(f"    {ms:8.3f}  {name}" for name, ms in list(sp["by_leaf_package"].items())[:rows]),
            "  main thread inclusive (ms/turn):",
            *(f"    {e['ms_per_turn']:8.3f}  {e['function']}" for e in sp["inclusive"]),
        ]
    elif reason := profile.get("pyspy_skipped"):
        lines.append(f"py-spy of ({key}) skipped: {reason}")
    return lines
