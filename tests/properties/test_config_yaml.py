"""HR's YAML takes any text: the real files with a value anywhere replaced by arbitrary data,
text that is no YAML, nesting thousands deep. Reading a file gives the model or problems as
`file:line:col: path: message`, one line each; `exitbot check-config` answers 0 or 1 with those
lines, never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import BaseModel
from ruamel.yaml import YAML

from cli.main import main
from config.loader import default_config_dir
from config.problems import ConfigProblem
from config.schema import HandoverFile, OrganisationFile, UnitsFile
from config.validation import validate_document
from config.yaml_source import YamlSyntaxError, read_yaml
from tests.properties.strategies import Shown, any_char, examples, json_values, nasty_text, shown

DEFAULT = default_config_dir()
# The small files: parsing the large ones (questions, texts) takes too long for many examples.
MODELS: dict[str, type[BaseModel]] = {
    "organisation.yaml": OrganisationFile,
    "units.yaml": UnitsFile,
    "handover.yaml": HandoverFile,
}
SMALL = tuple(MODELS)


def _data(name: str) -> Any:
    return YAML(typ="safe", pure=True).load((DEFAULT / name).read_text(encoding="utf-8"))


ORIGINALS = {name: _data(name) for name in SMALL}


@st.composite
def replaced(draw: st.DrawFn, data: Any) -> Any:
    """`data` with one value, somewhere, replaced by arbitrary data."""
    if draw(st.integers(0, 3)) == 0 or not isinstance(data, dict | list) or not data:
        return draw(json_values(8))
    if isinstance(data, dict):
        key = draw(st.sampled_from(sorted(data, key=str)))
        return {**data, key: draw(replaced(data[key]))}
    index = draw(st.integers(0, len(data) - 1))
    return [*data[:index], draw(replaced(data[index])), *data[index + 1 :]]


def nesting(depth: int, style: str) -> str:
    """YAML nested `depth` deep: flow lists, flow maps or block maps (indented one space a
    level, so at most 1,500 deep: that is already over a megabyte)."""
    if style == "flow":
        return "a: " + "[" * depth + "]" * depth + "\n"
    if style == "map":
        return "a: " + "{b: " * depth + "1" + "}" * depth + "\n"
    depth = min(depth, 1_500)
    return "".join(f"{' ' * i}k:\n" for i in range(depth)) + " " * depth + "v\n"


def laughs(levels: int) -> Shown:
    """Aliases that multiply: ten of the level below at every level (the billion laughs)."""
    lines = ["units:", '  - &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"  - &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, levels)]
    return Shown("\n".join(lines) + "\n", f"laughs({levels})")


def nest(depth: int, style: str) -> Shown:
    return Shown(nesting(depth, style), f"nesting({depth}, {style!r})")


@st.composite
def yaml_texts(draw: st.DrawFn) -> tuple[str, Shown]:
    """A file name and text for it: a real file changed, YAML-ish text, or no YAML at all."""
    name = draw(st.sampled_from(SMALL))
    kind = draw(st.integers(0, 5))
    if kind <= 2:  # the file as HR wrote it, one value changed; JSON is YAML too
        return name, shown(json.dumps(draw(replaced(ORIGINALS[name])), indent=1))
    if kind == 3:
        lines = draw(st.lists(st.tuples(nasty_text, nasty_text), max_size=5))
        return name, shown("\n".join(f"{key}: {value}" for key, value in lines))
    if kind == 4:
        depth = draw(st.integers(min_value=10, max_value=25_000))
        return name, nest(depth, draw(st.sampled_from(["flow", "map", "block"])))
    return name, shown(draw(st.text(any_char, max_size=200)))


def assert_told(problems: list[ConfigProblem], path: Path) -> None:
    """Each problem is one line, at a place in the file, and there are not thousands."""
    assert 0 < len(problems) <= 200, len(problems)
    for problem in problems:
        assert problem.file == str(path), problem
        assert problem.line >= 1 and problem.col >= 1, problem
        assert "\n" not in str(problem) and len(str(problem)) < 2000, str(problem)[:300]
        assert "Traceback" not in str(problem)


@examples(100)
@given(file=yaml_texts())
@example(file=("units.yaml", nest(20_000, "flow")))
@example(file=("organisation.yaml", nest(1_500, "block")))
@example(file=("organisation.yaml", nest(200, "block")))
@example(file=("units.yaml", laughs(9)))
@example(file=("handover.yaml", shown("items:\n  - id: a\x00b\n")))
@example(file=("handover.yaml", shown('"\\ud800": x\n')))
@example(file=("units.yaml", shown('"\\r\\n": x\n')))  # a key with a line break in it
def test_any_yaml_file_reads_as_a_model_or_its_problems(
    tmp_path: Path, file: tuple[str, Shown]
) -> None:
    name, text = file[0], file[1].value
    path = tmp_path / name.replace("/", "_")
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        doc, _ = read_yaml(path, str(path))
    except YamlSyntaxError as exc:
        assert_told([exc.problem], path)
        return
    parsed, problems = validate_document(doc, MODELS[name])
    if parsed is None:
        assert_told(problems, path)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A copy of the shipped configuration, for one file at a time to be replaced."""
    target = tmp_path / "config"
    shutil.copytree(DEFAULT, target)
    return target


@examples(4)  # each loads the whole configuration, about half a second
@given(file=yaml_texts())
@example(file=("units.yaml", nest(20_000, "map")))
def test_check_config_answers_any_directory_with_problems(
    config_dir: Path,
    capsys: pytest.CaptureFixture[str],
    file: tuple[str, Shown],
) -> None:
    name, text = file[0], file[1].value
    path = config_dir / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        capsys.readouterr()
        code = main(["check-config", str(config_dir)])
        out, err = capsys.readouterr()
        assert code in (0, 1), (code, err[-500:])
        assert "Traceback" not in out + err
        if code == 1:
            lines = err.strip().splitlines()
            assert lines[-1].startswith("exitbot: ") and "problem(s)" in lines[-1], lines[-1]
            assert all(line.startswith(str(config_dir)) for line in lines[:-1]), lines[:3]
    finally:
        shutil.copyfile(DEFAULT / name, path)
