"""HR's YAML that is too deep or too big is told as file:line, quickly, never as a traceback;
a file under the bounds is checked in time that grows with it, not with its square."""

from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path

import pytest

from cli.main import main
from config.holder import ConfigHolder
from config.loader import ConfigError, load_config
from config.overrides import MAX_UNIT_DEPTH
from config.yaml_source import MAX_DEPTH, MAX_FILE_BYTES
from tests.config.builder import texts_yaml, write_config

# Refusing before the tree is built takes a moment; the old check took minutes or crashed.
QUICK = 20.0


def _check_config(directory: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, float]:
    started = time.perf_counter()
    code = main(["check-config", str(directory)])
    out, err = capsys.readouterr()
    return code, out + err, time.perf_counter() - started


@pytest.mark.parametrize(
    ("style", "text", "where"),
    [
        ("flow lists", "units: " + "[" * 20_000 + "]" * 20_000 + "\n", "units.yaml:1:"),
        ("flow maps", "units: " + "{a: " * 20_000 + "1" + "}" * 20_000 + "\n", "units.yaml:1:"),
        (
            "block maps",
            "units:\n" + "".join(" " * (i + 2) + f"k{i}:\n" for i in range(1_000)),
            f"units.yaml:{MAX_DEPTH}:",
        ),
    ],
)
def test_deep_nesting_is_one_line_at_its_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], style: str, text: str, where: str
) -> None:
    write_config(tmp_path, {"units.yaml": text})
    code, shown, seconds = _check_config(tmp_path, capsys)
    assert code == 1
    assert "Traceback" not in shown and "RecursionError" not in shown
    lines = [line for line in shown.splitlines() if "units.yaml" in line]
    assert len(lines) == 1 and where in lines[0], (style, lines)
    assert f"nested more than {MAX_DEPTH} levels deep" in lines[0]
    assert seconds < QUICK


def test_a_file_over_the_size_bound_is_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 60 MB: the old check gave no answer in ten minutes.
    filler = "# a comment line of filler\n" * (60_000_000 // 27)
    write_config(tmp_path, {"units.yaml": "units: []\n" + filler})
    code, shown, seconds = _check_config(tmp_path, capsys)
    assert code == 1 and "Traceback" not in shown
    assert f"{tmp_path}/units.yaml:1:1: (file): the file is larger than 1 MB" in shown
    assert seconds < QUICK


def test_a_deep_file_is_refused_on_reload_and_the_good_version_stays(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_config(tmp_path)
    holder = ConfigHolder.load(tmp_path)
    version = holder.current.version
    (tmp_path / "handover.yaml").write_text("items: " + "[" * 5_000 + "]" * 5_000 + "\n")
    with caplog.at_level(logging.ERROR, logger="config.holder"):
        problems = holder.reload()
    assert holder.current.version == version
    assert len(problems) == 1 and "handover.yaml:1:" in problems[0]
    assert "nested more than" in caplog.text and "Traceback" not in caplog.text


def test_a_file_just_under_the_bounds_is_read_and_its_mistakes_found(tmp_path: Path) -> None:
    """A file of nearly 1 MB is checked like any other."""
    units = ["units:"]
    for n in range(2_000):
        units.append(f"  - id: u{n}\n    name: Unit {n}\n    conversation:\n      minutes: 45")
    units.append("  - id: last\n    name: Last\n    parent: u1999x")
    text = "\n".join(units) + "\n"
    padding = "# " + "x" * 97 + "\n"
    text += padding * ((MAX_FILE_BYTES - len(text) - 1_000) // len(padding))
    assert MAX_FILE_BYTES - 2_000 < len(text.encode()) <= MAX_FILE_BYTES
    write_config(tmp_path, {"units.yaml": text})
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    shown = [str(p).removeprefix(f"{tmp_path}/") for p in caught.value.problems]
    line = 1 + 4 * 2_000 + 3
    assert shown == [
        f"units.yaml:{line}:13: units[2000].parent: unknown unit 'u1999x'; did you mean 'u1999'?"
    ]


def test_nesting_at_the_bound_is_read(tmp_path: Path) -> None:
    """32 levels are parsed, and the mistake in them is told as usual."""
    # The file's mapping, units, one unit: 3 levels; the lists and the "x" in them the rest.
    lists = MAX_DEPTH - 4
    nested = "[" * lists + "x" + "]" * lists
    text = f"units:\n  - id: a\n    name: A\n    names: {nested}\n"
    problems = [str(p) for p in _problems(tmp_path, {"units.yaml": text})]
    assert problems == [
        f"{tmp_path}/units.yaml:4:5: units[0].names: should be a mapping of keys to values "
        "(got a list)"
    ]
    deeper = text.replace(nested, "[" + nested + "]")
    problems = [str(p) for p in _problems(tmp_path, {"units.yaml": deeper})]
    assert len(problems) == 1 and f"nested more than {MAX_DEPTH} levels deep" in problems[0]


def _problems(root: Path, files: dict[str, str]) -> list[object]:
    write_config(root, files)
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    return list(caught.value.problems)


def _chain(count: int) -> str:
    """Units in chains as deep as allowed, each its parent's child."""
    lines = ["units:"]
    for n in range(count):
        parent = f"\n    parent: u{n - 1}" if n % MAX_UNIT_DEPTH else ""
        lines.append(f"  - id: u{n}\n    name: Unit {n}{parent}\n    conversation: {{minutes: 45}}")
    return "\n".join(lines) + "\n"


def _misspelt_texts(count: int) -> str:
    """English texts with `count` keys in no other language: a mistake (and a hint) each."""
    return texts_yaml("en") + "".join(f'extra.key.{n:06d}: "x {n}"\n' for n in range(count))


def _cpu_seconds(root: Path, files: dict[str, str]) -> float:
    write_config(root, files)
    started = time.process_time()
    with contextlib.suppress(ConfigError):
        load_config(root)
    return time.process_time() - started


@pytest.mark.parametrize(
    ("name", "make", "small"),
    [("units.yaml", _chain, 150), ("texts/en.yaml", _misspelt_texts, 500)],
)
def test_checking_grows_with_the_file_not_faster(
    tmp_path: Path, name: str, make: object, small: int
) -> None:
    """Four times the file, at most about four times the CPU (it was 9 and 16 times)."""
    assert callable(make)
    _cpu_seconds(tmp_path / "warm", {name: make(small)})
    one = _cpu_seconds(tmp_path / "one", {name: make(small)})
    four = _cpu_seconds(tmp_path / "four", {name: make(4 * small)})
    assert four < 6 * one, (one, four)


def test_units_deeper_than_the_bound_are_told_not_crashed_on(tmp_path: Path) -> None:
    count = MAX_UNIT_DEPTH + 2
    lines = ["units:"] + [
        f"  - id: u{n}\n    name: Unit {n}" + (f"\n    parent: u{n - 1}" if n else "")
        for n in range(count)
    ]
    write_config(tmp_path, {"units.yaml": "\n".join(lines) + "\n"})
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    deep = [str(p) for p in caught.value.problems if "units above one another" in str(p)]
    assert [p.split(": ")[1] for p in deep] == [
        f"units[{n}].parent" for n in range(MAX_UNIT_DEPTH, count)
    ]


def test_a_control_character_is_told_at_its_line_and_column(tmp_path: Path) -> None:
    problems = _problems(tmp_path, {"handover.yaml": "items:\n  - id: a\x00b\n"})
    assert [str(p) for p in problems] == [
        f"{tmp_path}/handover.yaml:2:10: (file): YAML syntax: character U+0000 is not allowed "
        "in YAML"
    ]
