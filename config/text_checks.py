"""Checks of the texts: every key in every language, with placeholders the code fills in."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping

from config.catalog import REQUIRED_TEXTS
from config.hints import did_you_mean, suggest
from config.parsed import Parsed, Source
from config.placeholders import placeholders, show
from config.problems import ConfigProblem
from config.schema import Localized, TextsFile, UnitsFile
from config.yaml_source import Loc, YamlDocument
from journey.locale import SUPPORTED_LANGUAGES


def check_texts(files: Mapping[str, Source[TextsFile]]) -> list[ConfigProblem]:
    """Each key in all four files; the keys the code needs; the same placeholders in all."""
    problems: list[ConfigProblem] = []
    texts = {language: files[language].model.root for language in SUPPORTED_LANGUAGES}
    every_key = {key for by_key in texts.values() for key in by_key}
    candidates = every_key | set(REQUIRED_TEXTS)
    for key in sorted(candidates):
        having = [language for language in SUPPORTED_LANGUAGES if key in texts[language]]
        if key not in REQUIRED_TEXTS and len(having) == 1:
            # In one file only: most likely a misspelt key, so say that where it is.
            (language,) = having
            likely = did_you_mean(key, candidates, besides=key)
            message = f"text only in {language}{likely or '; add it to every language'}"
            problems.append(files[language].doc.problem((key,), message, at_key=True))
            continue
        for language in SUPPORTED_LANGUAGES:
            if language in having:
                continue
            hint = (
                f"present in {', '.join(having)}"
                if having
                else "the bot uses this text; add it to every language"
            )
            message = f"text missing in {language} ({hint})"
            problems.append(files[language].doc.file_problem(message, path=key))
        problems += _placeholders(
            key,
            {language: texts[language][key] for language in having},
            REQUIRED_TEXTS.get(key),
            lambda language, k=key: (files[language].doc, (k,)),
        )
    return problems


def _placeholders(
    key: str,
    texts: Mapping[str, str],
    allowed: frozenset[str] | None,
    where: Callable[[str], tuple[YamlDocument, Loc]],
) -> list[ConfigProblem]:
    """The placeholders of one key in its languages: known to the code and the same in all."""
    problems = []
    used: dict[str, frozenset[str]] = {}
    for language, text in texts.items():
        doc, loc = where(language)
        try:
            names = placeholders(text)
        except ValueError as exc:
            problems.append(doc.problem(loc, str(exc)))
            continue
        if allowed is not None and (unknown := names - allowed):
            problems.append(
                doc.problem(
                    loc,
                    f"uses {show(unknown)}, which the bot does not fill in here; "
                    f"this text can use {show(allowed)}",
                )
            )
            continue
        used[language] = names
    if len(set(used.values())) > 1:
        counts = Counter(used.values())
        reference = max(counts, key=lambda names: (counts[names], used.get("en") == names))
        agree = [language for language, names in used.items() if names == reference]
        for language, names in used.items():
            if names != reference:
                doc, loc = where(language)
                problems.append(
                    doc.problem(
                        loc,
                        f"uses placeholders {show(names)}, but {', '.join(agree)} "
                        f"{'uses' if len(agree) == 1 else 'use'} {show(reference)}; "
                        "every language must use the same ones",
                    )
                )
    return problems


def check_unit_texts(parsed: Parsed, source: Source[UnitsFile]) -> list[ConfigProblem]:
    """A unit rewords only existing texts, with the placeholders the original may use."""
    problems = []
    known = parsed.text_keys()
    for i, unit in enumerate(source.model.units):
        for key, localized in unit.texts.items():
            problems += _unit_text(parsed, source.doc, (i, key), localized, known)
    return problems


def _unit_text(
    parsed: Parsed,
    doc: YamlDocument,
    where: tuple[int, str],
    localized: Localized,
    known: frozenset[str],
) -> list[ConfigProblem]:
    i, key = where
    if key not in known:
        return [
            doc.problem(
                ("units", i, "texts", key),
                f"unknown text key {key!r}{suggest(key, known)}",
                at_key=True,
            )
        ]
    allowed = REQUIRED_TEXTS.get(key)
    if allowed is None:
        # A key the code does not know: whatever the organisation's own text uses.
        allowed = frozenset().union(
            *(
                placeholders(parsed.text_map(language)[key])
                for language in SUPPORTED_LANGUAGES
                if key in parsed.text_map(language)
            )
        )
    texts = {language: localized.get(language) for language in SUPPORTED_LANGUAGES}
    return _placeholders(
        key, texts, allowed, lambda language: (doc, ("units", i, "texts", key, language))
    )
