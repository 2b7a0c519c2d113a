"""Small configuration directories written from strings, so each test knows its line numbers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from config.catalog import REQUIRED_TEXTS
from journey.locale import SUPPORTED_LANGUAGES

ORGANISATION = """\
name: Testkommune
hr:
  members: [hr@example.org]
defaults:
  conversation:
    minutes: 60
    interviewers: [manager, hr_partner]
    hr_partners: [partner@example.org]
  calendar:
    time_zone: Europe/Copenhagen
    working_hours: {start: "08:00", end: "16:00"}
  reminders:
    handover_days_before: 10
  survey:
    question_set: basic
"""

UNITS = """\
units:
  - id: care
    name: Care
    conversation:
      interviewers: [manager, pool]
      pool: [rep@example.org]
  - id: roads
    name: Roads
    survey:
      sections: [about]
"""

QUESTIONS = """\
question_sets:
  - id: basic
    title: {da: Om dig, sv: Om dig, nb: Om deg, en: About you}
    sections:
      - id: about
        title: {da: Om jobbet, sv: Om jobbet, nb: Om jobben, en: About the job}
        questions:
          - id: reasons
            type: multiple_choice
            reportable: true
            prompt: {da: Hvorfor?, sv: Varför?, nb: Hvorfor?, en: Why?}
            options:
              - id: pay
                label: {da: Løn, sv: Lön, nb: Lønn, en: Pay}
              - id: other
                label: {da: Andet, sv: Annat, nb: Annet, en: Other}
          - id: recommend
            type: yes_no
            reportable: true
            prompt: {da: Anbefale?, sv: Rekommendera?, nb: Anbefale?, en: Recommend?}
      - id: more
        title: {da: Mere, sv: Mer, nb: Mer, en: More}
        questions:
          - id: stay
            type: free_text
            prompt: {da: Blive?, sv: Stanna?, nb: Bli?, en: Stay?}
"""

HANDOVER = """\
items:
  - id: tasks
    label: {da: Opgaver, sv: Uppgifter, nb: Oppgaver, en: Tasks}
"""


def text_for(key: str, language: str) -> str:
    """A distinct text per key and language, with every placeholder the catalog allows."""
    names = " ".join(f"{{{name}}}" for name in sorted(REQUIRED_TEXTS.get(key, ())))
    return f"{language}: {key} {names}".strip()


def texts_yaml(
    language: str,
    *,
    first: Mapping[str, str] | None = None,
    drop: frozenset[str] = frozenset(),
) -> str:
    """A texts file with every required key; `first` goes on the top lines, in order."""
    first = dict(first or {})
    lines = [f"{key}: {json.dumps(text, ensure_ascii=False)}" for key, text in first.items()]
    lines += [
        f"{key}: {json.dumps(text_for(key, language), ensure_ascii=False)}"
        for key in REQUIRED_TEXTS
        if key not in first and key not in drop
    ]
    return "\n".join(lines) + "\n"


def write_config(root: Path, files: Mapping[str, str | None] | None = None) -> Path:
    """A valid small configuration in `root`; `files` replaces (or with None removes) files."""
    contents: dict[str, str | None] = {
        "organisation.yaml": ORGANISATION,
        "units.yaml": UNITS,
        "questions.yaml": QUESTIONS,
        "handover.yaml": HANDOVER,
        **{f"texts/{language}.yaml": texts_yaml(language) for language in SUPPORTED_LANGUAGES},
    }
    contents.update(files or {})
    for name, text in contents.items():
        if text is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
