"""A mistake in HR's YAML, told as `file:line:col: path: message`."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A key in HR's file may hold a line break or other control character ("\r\n": x); the path
# shows it escaped, as the message already does, so each problem stays one line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _one_line(text: str) -> str:
    return _CONTROL.sub(lambda found: repr(found.group())[1:-1], text)


@dataclass(frozen=True, order=True)
class ConfigProblem:
    """One mistake; line and col are 1-based, as editors count."""

    file: str
    line: int
    col: int
    path: str
    message: str

    def __str__(self) -> str:
        where = _one_line(self.path) or "(file)"
        return f"{self.file}:{self.line}:{self.col}: {where}: {_one_line(self.message)}"


class ConfigError(Exception):
    """The configuration did not validate; `problems` lists every mistake found."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))
