"""Loading HR's configuration directory: parse, validate, cross-check, or list every mistake."""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from config.checks import cross_check
from config.hints import limited_hints
from config.loaded import LoadedConfig
from config.overrides import all_effective_settings, effective_texts
from config.parsed import Parsed, Source
from config.problems import ConfigError, ConfigProblem
from config.schema import (
    HandoverFile,
    OrganisationFile,
    QuestionsFile,
    TextsFile,
    UnitsFile,
)
from config.texts import TextBook
from config.validation import validate_document
from config.yaml_source import YamlDocument, YamlSyntaxError, read_yaml
from journey.locale import SUPPORTED_LANGUAGES

__all__ = ["ConfigError", "ConfigProblem", "LoadedConfig", "default_config_dir", "load_config"]

ORGANISATION = "organisation.yaml"
UNITS = "units.yaml"
QUESTIONS = "questions.yaml"
HANDOVER = "handover.yaml"
TEXTS = "texts"

M = TypeVar("M", bound=BaseModel)


def default_config_dir() -> Path:
    """The configuration shipped with the bot (a demo organisation with complete texts)."""
    return Path(__file__).resolve().parent / "default"


def text_file(language: str) -> str:
    return f"{TEXTS}/{language}.yaml"


def expected_files() -> tuple[str, ...]:
    """Every file name the loader reads, relative to the configuration directory."""
    return (
        ORGANISATION,
        UNITS,
        QUESTIONS,
        HANDOVER,
        *(text_file(language) for language in SUPPORTED_LANGUAGES),
    )


class _Reader:
    """Reads the files of one directory, collecting problems instead of stopping at one."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[ConfigProblem] = []
        self.contents: dict[str, bytes] = {}

    def shown(self, name: str) -> str:
        return str(self.directory / name)

    def read(self, name: str, model: type[M], *, optional: bool = False) -> Source[M] | None:
        path = self.directory / name
        if not path.is_file():
            if optional:
                return Source(YamlDocument(self.shown(name), None), model())
            self.problems.append(
                ConfigProblem(self.shown(name), 1, 1, "", "file missing; it is required")
            )
            return None
        try:
            doc, raw = read_yaml(path, self.shown(name))
        except YamlSyntaxError as exc:
            self.problems.append(exc.problem)
            return None
        self.contents[name] = raw
        if doc.data is None:
            if optional:
                return Source(doc, model())
            self.problems.append(doc.file_problem("the file is empty"))
            return None
        parsed, problems = validate_document(doc, model)
        self.problems += problems
        return Source(doc, parsed) if parsed is not None else None

    def unknown_files(self) -> None:
        """YAML files the loader would ignore: most likely a misspelt name."""
        expected = expected_files()
        for folder in (self.directory, self.directory / TEXTS):
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if path.suffix not in (".yaml", ".yml") or not path.is_file():
                    continue
                name = path.relative_to(self.directory).as_posix()
                if name in expected:
                    continue
                close = difflib.get_close_matches(name, expected, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]}?" if close else f"expected {', '.join(expected)}"
                message = f"unknown file, not read; {hint}"
                self.problems.append(ConfigProblem(self.shown(name), 1, 1, "", message))

    def version(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.contents):
            digest.update(name.encode() + b"\0" + self.contents[name] + b"\0")
        return digest.hexdigest()[:12]


def load_config(directory: Path) -> LoadedConfig:
    """Read and check a configuration directory; raises ConfigError listing every mistake."""
    if not directory.is_dir():
        raise ConfigError(
            [ConfigProblem(str(directory), 1, 1, "", "no such configuration directory")]
        )
    with limited_hints():
        return _load(directory)


def _load(directory: Path) -> LoadedConfig:
    reader = _Reader(directory)
    organisation = reader.read(ORGANISATION, OrganisationFile)
    units = reader.read(UNITS, UnitsFile, optional=True)
    questions = reader.read(QUESTIONS, QuestionsFile)
    handover = reader.read(HANDOVER, HandoverFile)
    texts = {
        language: reader.read(text_file(language), TextsFile) for language in SUPPORTED_LANGUAGES
    }
    reader.unknown_files()
    parsed = Parsed(
        organisation=organisation,
        units=units,
        questions=questions,
        handover=handover,
        texts=_all_or_none(texts),
    )
    problems = reader.problems + cross_check(parsed)
    if problems:
        raise ConfigError(sorted(problems))
    return _build(directory, reader.version(), parsed)


def _all_or_none(texts: dict[str, Source[TextsFile] | None]) -> dict[str, Source[TextsFile]] | None:
    """Texts are compared across languages, so only when every language's file validated."""
    if any(source is None for source in texts.values()):
        return None
    return {language: source for language, source in texts.items() if source is not None}


def _build(directory: Path, version: str, parsed: Parsed) -> LoadedConfig:
    # Only called when nothing was wrong, so every file is there.
    assert parsed.organisation and parsed.units and parsed.questions and parsed.handover
    assert parsed.texts is not None
    defaults = parsed.organisation.model.defaults
    units = {unit.id: unit for unit in parsed.units.model.units}
    settings = {}
    for unit_id, effective in all_effective_settings(defaults, units).items():
        assert effective is not None  # the checks refused unknown parents, loops, depth
        settings[unit_id] = effective
    texts = TextBook(
        organisation={
            language: dict(source.model.root) for language, source in parsed.texts.items()
        },
        units={unit_id: effective_texts(unit_id, units) for unit_id in units},
    )
    return LoadedConfig(
        directory=directory,
        version=version,
        organisation=parsed.organisation.model,
        units=units,
        settings=settings,
        texts=texts,
        question_sets={qset.id: qset for qset in parsed.questions.model.question_sets},
        handover_items={item.id: item for item in parsed.handover.model.items},
    )
