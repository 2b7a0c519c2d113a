"""HR's YAML read on libyaml's parser (config.yaml_fast) gives the tree the pure-Python reading
gives: the same keys, values and types, and the same line and column of every node, so a
mistake is told at the same file:line:col either way. Text the two parsers read differently
goes to the pure reading, which also tells every syntax mistake in its own words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from config import yaml_fast
from config.loader import default_config_dir
from config.yaml_source import MAX_DEPTH, _parse_pure, read_yaml
from tests.properties.strategies import examples

REPO = Path(__file__).resolve().parents[2]
# config/default and config/demo: every YAML file the package ships.
SHIPPED = sorted(
    path for pattern in ("*.yaml", "*.yml") for path in default_config_dir().parent.rglob(pattern)
)
needs_libyaml = pytest.mark.skipif(
    not yaml_fast.available(), reason="ruamel.yaml.clib is not installed"
)


def layout(node: Any, path: str = "") -> list[tuple[Any, ...]]:
    """Every node's place, type, value and 0-based (line, column), in document order."""
    if isinstance(node, CommentedMap):
        rows: list[tuple[Any, ...]] = [(path, "map", node.lc.line, node.lc.col)]
        for key, value in node.items():
            rows.append((path, repr(key), type(key), node.lc.key(key), node.lc.value(key)))
            rows += layout(value, f"{path}/{key!r}")
        return rows
    if isinstance(node, CommentedSeq):
        rows = [(path, "seq", node.lc.line, node.lc.col)]
        for index, item in enumerate(node):
            rows.append((path, index, node.lc.item(index)))
            rows += layout(item, f"{path}[{index}]")
        return rows
    return [(path, type(node), repr(node))]


def both(text: str) -> tuple[Any, Any]:
    """(the pure reading's layout or its error, libyaml's or None where it declines); an
    error of `layout` itself (ruamel's merge keys `<<` can make a map it cannot iterate) counts
    as the reading's."""
    try:
        pure: Any = layout(_parse_pure(text, "f.yaml"))
    except Exception as exc:
        pure = type(exc)
    try:
        fast: Any = layout(yaml_fast.load(text, MAX_DEPTH))
    except yaml_fast.NotRead:
        fast = None
    except Exception as exc:
        fast = type(exc)
    return pure, fast


@needs_libyaml
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(REPO)))
def test_every_shipped_file_reads_alike_on_libyaml(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    pure, fast = both(text)
    assert fast is not None, "libyaml's reading declined a shipped file (it would be slow)"
    assert fast == pure


@needs_libyaml
def test_the_shipped_configuration_is_read_on_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    """read_yaml takes libyaml's reading for every shipped file: the pure one is not called."""
    import config.yaml_source as source

    def refuse(text: str, file: str) -> Any:
        raise AssertionError(f"{file} was read by the pure parser")

    monkeypatch.setattr(source, "_parse_pure", refuse)
    for path in SHIPPED:
        doc, _ = read_yaml(path, str(path))
        assert isinstance(doc.data, CommentedMap)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("no: nej\nat: 9:30\n", "YAML 1.2: `no` and 9:30 stay strings"),
        ("a: 1\na: 2\n", "a duplicate key is a mistake at its line"),
        ("a: [1, 2\n", "a syntax mistake"),
        ("parent:\nname: x\n", "an empty value"),
        ("a:\tb\n", "a tab"),
        ("%YAML 1.1\n---\nno: yes\n", "a directive: YAML 1.1's booleans"),
        ("a: !x b\n", "a tag"),
        ("a: " + "[" * 40 + "]" * 40 + "\n", "nested deeper than the bound"),
        ("a: |#\n  b\n", "a block scalar's header with a comment right after it"),
        ("k\ufeff: v\n", "a byte order mark inside"),
    ],
)
def test_what_libyaml_might_read_otherwise_is_read_as_before(text: str, why: str) -> None:
    pure, fast = both(text)
    assert fast is None or fast == pure, why


# Pieces HR's files are made of, and the corners where YAML parsers tend to part.
PIECES = [
    "a", "no", "9:30", "yes", "017", "1e3", "~", "true", "- ", ": ", ":", "? ", " ", "  ",
    "\n", "\n  ", "\n- ", "\n  k: ", "\t", "#", " # c", "'", '"', "[", "]", "{", "}", ", ",
    "&a ", "*a", "<<: *a", "!t ", "|", ">-", "\\", "é", "\U0001f600", "\r\n", "---", "...",
    "%", "\ufeff", "\xa0", "'it''s'", '"\\u00e9"', "{a: 1, b: [2, 3]}",
]  # fmt: skip


@needs_libyaml
@examples(400)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=20).map("".join))
def test_any_text_libyaml_reads_is_read_alike(text: str) -> None:
    pure, fast = both(text)
    assert fast is None or fast == pure
