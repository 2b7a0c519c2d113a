"""The files of a configuration that validated on their own, ready to be checked together."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

from config.schema import HandoverFile, OrganisationFile, QuestionsFile, TextsFile, UnitsFile
from config.yaml_source import YamlDocument

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Source(Generic[M]):
    """A file that validated: where it came from and what it holds."""

    doc: YamlDocument
    model: M


@dataclass(frozen=True)
class Parsed:
    """The files that validated on their own; None where a file had mistakes."""

    organisation: Source[OrganisationFile] | None
    units: Source[UnitsFile] | None
    questions: Source[QuestionsFile] | None
    handover: Source[HandoverFile] | None
    # language → texts/<language>.yaml; None unless every language's file validated
    texts: Mapping[str, Source[TextsFile]] | None

    def text_map(self, language: str) -> Mapping[str, str]:
        assert self.texts is not None
        return self.texts[language].model.root

    def text_keys(self) -> frozenset[str]:
        if self.texts is None:
            return frozenset()
        return frozenset(key for language in self.texts for key in self.text_map(language))
