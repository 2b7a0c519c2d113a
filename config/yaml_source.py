"""Reading HR's YAML with ruamel's round-trip loader, which keeps line and column of every node
(on libyaml's parser when ruamel.yaml.clib is installed: config.yaml_fast).

Not PyYAML: it reads the key `no:` (Norwegian) as False and `9:30` as 570. ruamel follows
YAML 1.2, where both stay strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.parser import Parser
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scanner import Scanner

from config import yaml_fast
from config.problems import ConfigProblem

Loc = Sequence[str | int]

# HR's files are a few KB (the shipped texts, the largest, about 30 KB) and nest at most six
# levels (units → a unit → texts → a key → a language → the text). Both are checked before the
# line-numbered tree is built: a bigger or deeper file is a mistake, told as file:line:col,
# not a traceback or a check that takes minutes.
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32


class YamlSyntaxError(Exception):
    """The file is not valid YAML (or not UTF-8); `problem` says where."""

    def __init__(self, problem: ConfigProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def format_path(loc: Loc) -> str:
    """`units[2].conversation.minutes` from ("units", 2, "conversation", "minutes")."""
    out = ""
    for step in loc:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else str(step)
    return out


@dataclass(frozen=True)
class YamlDocument:
    """One parsed file: the name shown in messages and its round-trip tree."""

    file: str
    data: Any

    def locate(self, loc: Loc, *, at_key: bool = False) -> tuple[int, int, str]:
        """1-based line and column of the node at `loc` (or of its nearest existing parent).

        Steps that are not in the YAML are pydantic's own (a union tag, say) and are skipped,
        except the last one: a missing key is named in the path and located at its parent.
        """
        line, col, shown, found = self._walk(loc, at_key=at_key, stop_at_missing=False)
        if loc and not found:
            shown.append(loc[-1])
        return line, col, format_path(shown)

    def problem(self, loc: Loc, message: str, *, at_key: bool = False) -> ConfigProblem:
        """A problem found by validation at `loc` in this file."""
        line, col, path = self.locate(loc, at_key=at_key)
        return ConfigProblem(self.file, line, col, path, message)

    def problem_near(self, loc: Loc, message: str, *, at_key: bool = False) -> ConfigProblem:
        """A problem about the setting at `loc` (perhaps inherited, so not written here),
        shown at the deepest part of `loc` this file spells out."""
        line, col, _shown, _found = self._walk(loc, at_key=at_key, stop_at_missing=True)
        return ConfigProblem(self.file, line, col, format_path(loc), message)

    def _walk(
        self, loc: Loc, *, at_key: bool, stop_at_missing: bool
    ) -> tuple[int, int, list[str | int], bool]:
        """Position of the deepest node found, the steps found, and whether the last was."""
        node = self.data
        line, col = _start(node)
        shown: list[str | int] = []
        found = not loc
        for index, step in enumerate(loc):
            last = index == len(loc) - 1
            if isinstance(node, CommentedMap) and _has_key(node, step):
                child = node[step]
                scalar = not isinstance(child, CommentedMap | CommentedSeq)
                line, col = (
                    node.lc.value(step) if last and scalar and not at_key else node.lc.key(step)
                )
            elif (
                isinstance(node, CommentedSeq)
                and isinstance(step, int)
                and not isinstance(step, bool)
                and 0 <= step < len(node)
            ):
                child = node[step]
                line, col = node.lc.item(step)
            elif stop_at_missing:
                return line + 1, col + 1, shown, False
            else:
                continue
            node = child
            shown.append(step)
            found = last
        return line + 1, col + 1, shown, found

    def file_problem(self, message: str, path: str = "") -> ConfigProblem:
        """A problem about the file as a whole, shown at its first line."""
        return ConfigProblem(self.file, 1, 1, path, message)


def _has_key(node: CommentedMap, step: str | int) -> bool:
    try:
        return step in node
    except TypeError:
        return False


def _start(node: Any) -> tuple[int, int]:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return 0, 0
    return lc.line, lc.col


def read_yaml(path: Path, file: str) -> tuple[YamlDocument, bytes]:
    """Parse one file; raises YamlSyntaxError with file:line:col on a syntax error, a file
    larger than MAX_FILE_BYTES or one nested deeper than MAX_DEPTH."""
    with path.open("rb") as stream:
        raw = stream.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise YamlSyntaxError(
            ConfigProblem(
                file,
                1,
                1,
                "",
                f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB and was not read; "
                "HR's files are a few KB (is it the right file?)",
            )
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlSyntaxError(
            ConfigProblem(file, line, col, "", "not UTF-8 text; save the file as UTF-8")
        ) from None
    return YamlDocument(file, _parse(text, file)), raw


def _parse(text: str, file: str) -> Any:
    try:
        return yaml_fast.load(text, MAX_DEPTH)
    except yaml_fast.NotRead:
        return _parse_pure(text, file)


def _parse_pure(text: str, file: str) -> Any:
    """The reference reading: ruamel's own parser, in Python; it tells every mistake."""
    yaml = YAML(typ="rt", pure=True)
    # The round-trip constructor (line and column of every node) on the plain scanner and
    # parser: the round-trip ones also keep comments, which nobody reads, at twice the time.
    yaml.Scanner = Scanner
    yaml.Parser = Parser
    # Levels as ruamel counts them: every node from the top, the value at the bottom too.
    yaml.max_depth = MAX_DEPTH
    try:
        return yaml.load(text)
    except MaxDepthExceededError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        message = (
            f"nested more than {MAX_DEPTH} levels deep; HR's files need a few "
            "(is a bracket or an indentation wrong?)"
        )
        raise YamlSyntaxError(ConfigProblem(file, line, col, "", message)) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        message = str(exc.problem or "not valid YAML")
        if exc.context:
            message += f" ({exc.context})"
        raise YamlSyntaxError(
            ConfigProblem(file, line, col, "", f"YAML syntax: {message}")
        ) from None
    except ReaderError as exc:  # a control character YAML does not allow, such as NUL
        line, col = _line_col(text, exc.position)
        message = f"YAML syntax: character U+{exc.character:04X} is not allowed in YAML"
        raise YamlSyntaxError(ConfigProblem(file, line, col, "", message)) from None
    except YAMLError as exc:
        message = " ".join(str(exc).split())
        raise YamlSyntaxError(ConfigProblem(file, 1, 1, "", f"YAML syntax: {message}")) from None


def _line_col(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of the character at `position`."""
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1
