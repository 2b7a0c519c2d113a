"""How long checking HR's YAML takes as a file grows: it must grow with the file, not faster.

Writes configurations (the shipped one, config/default, with one file made bigger) of growing
size, times `load_config` on each (what `exitbot check-config`, the service's start and the
SIGHUP reload run) and prints size → seconds and seconds per MB. Shapes:

  units      many units like the shipped ones (texts, overrides), in families a few deep
  chain      units in chains as deep as allowed (32 parents), each overriding a setting
  misspelt   units whose parent and handover items are misspelt: a problem (and a hint) each
  texts      texts/en.yaml with thousands of keys in English only: a problem (and a hint) each

and then what is refused before it is read: a file over the 1 MB bound and 20,000 levels of
nesting.

    .venv/bin/python -m bench.config_check [--sizes 240 480 960] [--shapes units chain]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from config.loader import ConfigError, default_config_dir, load_config
from config.yaml_source import MAX_DEPTH, MAX_FILE_BYTES

UNIT = """\
  - id: {id}
    name: Enhed {n}
    names: {{da: Enhed {n}, sv: Enhet {n}, nb: Enhet {n}, en: Unit {n}}}
{parent}    conversation:
      minutes: {minutes}
      interviewers: [manager, hr_partner, pool]
      pool: [rep{n}@contoso.example]
    reminders:
      handover_days_before: {days}
    handover: [tasks, knowledge]
    texts:
      interviewer.option.pool:
        da: Vores tillidsrepræsentant {n}
        sv: Vårt fackliga ombud {n}
        nb: Den tillitsvalgte {n}
        en: Our union representative {n}
"""

MISSPELT = """\
  - id: {id}
    name: Enhed {n}
    parent: {id}-missing
    handover: [taks, knowlege]
"""


def _units(target: int, family: int, template: str = UNIT) -> str:
    """A units.yaml of about `target` bytes; each unit's parent is the one before it in its
    family of `family` units (the first has none)."""
    parts = ["units:\n"]
    size, n = len(parts[0]), 0
    while size < target:
        parent = f"    parent: unit-{n - 1:06d}\n" if n % family else ""
        text = template.format(
            id=f"unit-{n:06d}", n=n, parent=parent, minutes=30 + n % 60, days=5 + n % 20
        )
        parts.append(text)
        size += len(text.encode())
        n += 1
    return "".join(parts)


def _texts(target: int) -> str:
    """The shipped English texts and extra keys (in English only) up to `target` bytes."""
    text = (default_config_dir() / "texts" / "en.yaml").read_text(encoding="utf-8")
    extra, n = [], 0
    size = len(text.encode())
    while size < target:
        line = f'extra.note.{n:06d}: "An English-only text number {n}"\n'
        extra.append(line)
        size += len(line)
        n += 1
    return text + "".join(extra)


SHAPES: dict[str, tuple[str, Callable[[int], str]]] = {
    "units": ("units.yaml", lambda size: _units(size, family=4)),
    "chain": ("units.yaml", lambda size: _units(size, family=32)),
    "misspelt": ("units.yaml", lambda size: _units(size, family=1, template=MISSPELT)),
    "texts": ("texts/en.yaml", _texts),
}


def _directory(root: Path, name: str, content: str | bytes) -> Path:
    target = root / "config"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(default_config_dir(), target)
    path = target / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return target


def _check(directory: Path) -> tuple[float, float, str]:
    """CPU seconds (what the figures compare: the machine is shared), wall seconds, outcome."""
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        config = load_config(directory)
        outcome = f"OK, {len(config.units)} units"
    except ConfigError as exc:
        outcome = f"{len(exc.problems)} problems; first: {exc.problems[0]}"
    return time.process_time() - cpu, time.perf_counter() - wall, outcome


def run(shapes: list[str], sizes_kb: list[int]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for shape in shapes:
            name, make = SHAPES[shape]
            for kb in sizes_kb:
                content = make(kb * 1000)
                cpu, wall, outcome = _check(_directory(root, name, content))
                size = len(content.encode())
                rows.append({"shape": shape, "bytes": size, "cpu": cpu, "wall": wall})
                print(
                    f"{shape:9} {name:14} {size / 1e6:5.2f} MB  {cpu:6.2f} s CPU  "
                    f"{cpu / (size / 1e6):6.2f} s/MB  {wall:6.2f} s wall  {outcome[:60]}",
                    flush=True,
                )
        for label, name, content in (
            ("too big", "units.yaml", b"units:\n" + b"  # filler\n" * 6_000_000),
            ("deep", "units.yaml", ("units: " + "[" * 20_000 + "]" * 20_000 + "\n").encode()),
        ):
            cpu, wall, outcome = _check(_directory(root, name, content))
            rows.append({"shape": label, "bytes": len(content), "cpu": cpu, "wall": wall})
            print(
                f"{label:9} {name:14} {len(content) / 1e6:5.2f} MB  {cpu:6.2f} s CPU  "
                f"{'':13}{wall:6.2f} s wall  {outcome.split(': ', 1)[-1][-70:]}",
                flush=True,
            )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[240, 480, 960], help="KB")
    parser.add_argument("--shapes", nargs="+", choices=sorted(SHAPES), default=list(SHAPES))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    print(f"bounds: {MAX_FILE_BYTES:,} bytes per file, {MAX_DEPTH} levels of nesting", flush=True)
    rows = run(args.shapes, args.sizes)
    if args.json:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
