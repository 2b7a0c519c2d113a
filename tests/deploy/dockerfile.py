"""A small Dockerfile reader for the tests: instructions with their arguments, per stage."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    line: int

    def exec_form(self) -> list[str] | None:
        """The JSON array of a CMD/ENTRYPOINT/HEALTHCHECK CMD, or None for the shell form."""
        text = self.arguments
        if self.keyword == "HEALTHCHECK":
            text = text.split(" CMD ", 1)[-1] if " CMD " in f" {text}" else text
        text = text.strip()
        return json.loads(text) if text.startswith("[") else None


def read_dockerfile(path: Path) -> list[Instruction]:
    """Every instruction, continuation lines joined, comments and blank lines dropped."""
    instructions: list[Instruction] = []
    pending, start = "", 0
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        text = pending + line
        pending = ""
        keyword, _, arguments = text.partition(" ")
        instructions.append(Instruction(keyword.upper(), " ".join(arguments.split()), start))
    return instructions


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    """The instructions from the last FROM on: what the running image is made of."""
    last_from = max(i for i, ins in enumerate(instructions) if ins.keyword == "FROM")
    return instructions[last_from:]


def env_values(instructions: list[Instruction]) -> dict[str, str]:
    """ENV key=value pairs (the `ENV a=1 b=2` form)."""
    values: dict[str, str] = {}
    for instruction in instructions:
        if instruction.keyword == "ENV":
            for pair in shlex.split(instruction.arguments):
                key, _, value = pair.partition("=")
                values[key] = value
    return values


def build_args(instructions: list[Instruction]) -> dict[str, str]:
    """ARG defaults, to resolve `FROM ${PYTHON_IMAGE}`."""
    values: dict[str, str] = {}
    for instruction in instructions:
        if instruction.keyword == "ARG" and "=" in instruction.arguments:
            key, _, value = instruction.arguments.partition("=")
            values[key] = value
    return values
