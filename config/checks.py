"""Checks across files, once each has validated on its own: ids, references, texts."""

from __future__ import annotations

from collections.abc import Iterable

from config.departure_checks import check_departures
from config.hints import suggest
from config.overrides import MAX_UNIT_DEPTH, climb, lineage
from config.parsed import Parsed, Source
from config.problems import ConfigProblem
from config.schema import HandoverFile, OrganisationFile, QuestionsFile, Unit, UnitsFile
from config.setting_checks import check_effective_settings, units_by_id
from config.text_checks import check_texts, check_unit_texts
from config.yaml_source import Loc, YamlDocument


def cross_check(parsed: Parsed) -> list[ConfigProblem]:
    """Every mistake that only shows when files are read together, as far as they validated."""
    problems: list[ConfigProblem] = []
    if parsed.questions is not None:
        problems += _question_set_ids(parsed.questions)
    if parsed.handover is not None:
        problems += _handover_ids(parsed.handover)
    if parsed.texts is not None:
        problems += check_texts(parsed.texts)
    if parsed.organisation is not None:
        problems += _hr(parsed.organisation)
    if parsed.units is not None:
        problems += _unit_parents(parsed.units)
        problems += _representatives(parsed.units)
        if parsed.texts is not None:
            problems += check_unit_texts(parsed, parsed.units)
    problems += check_effective_settings(parsed)
    problems += check_departures(parsed)
    return problems


def _duplicates(
    doc: YamlDocument, entries: Iterable[tuple[str, Loc]], what: str
) -> list[ConfigProblem]:
    """Each id seen before, at its second place; entries are (id, where its id is)."""
    problems = []
    first: dict[str, Loc] = {}
    for value, loc in entries:
        if value in first:
            line = doc.locate(first[value])[0]
            message = f"{what} {value!r} twice (first on line {line})"
            problems.append(doc.problem(loc, message))
        else:
            first[value] = loc
    return problems


def _question_set_ids(source: Source[QuestionsFile]) -> list[ConfigProblem]:
    doc, sets = source.doc, source.model.question_sets
    problems = _duplicates(
        doc, [(q.id, ("question_sets", s, "id")) for s, q in enumerate(sets)], "question set"
    )
    for s, qset in enumerate(sets):
        base: Loc = ("question_sets", s, "sections")
        problems += _duplicates(
            doc,
            [(section.id, (*base, j, "id")) for j, section in enumerate(qset.sections)],
            "section",
        )
        # Answers are stored by question id, so ids are unique across the whole set.
        problems += _duplicates(
            doc,
            [
                (question.id, (*base, j, "questions", k, "id"))
                for j, section in enumerate(qset.sections)
                for k, question in enumerate(section.questions)
            ],
            "question id",
        )
        for j, section in enumerate(qset.sections):
            for k, question in enumerate(section.questions):
                where = (*base, j, "questions", k, "options")
                options = getattr(question, "options", None) or []
                problems += _duplicates(
                    doc,
                    [(option.id, (*where, n, "id")) for n, option in enumerate(options)],
                    "option id",
                )
    return problems


def _handover_ids(source: Source[HandoverFile]) -> list[ConfigProblem]:
    items = source.model.items
    entries = [(item.id, ("items", i, "id")) for i, item in enumerate(items)]
    return _duplicates(source.doc, entries, "handover item")


def _hr(source: Source[OrganisationFile]) -> list[ConfigProblem]:
    hr = source.model.hr
    if hr.members or hr.entra_group_id:
        return []
    return [
        source.doc.problem(
            ("hr",),
            "name at least one HR member (members) or an Entra ID group (entra_group_id); "
            "otherwise nobody can register a departure",
            at_key=True,
        )
    ]


def _unit_parents(source: Source[UnitsFile]) -> list[ConfigProblem]:
    doc, units = source.doc, source.model.units
    problems = _duplicates(
        doc, [(unit.id, ("units", i, "id")) for i, unit in enumerate(units)], "unit"
    )
    by_id = units_by_id(units)
    for i, unit in enumerate(units):
        if unit.parent is None:
            continue
        if unit.parent not in by_id:
            message = f"unknown unit {unit.parent!r}{suggest(unit.parent, by_id)}"
            problems.append(doc.problem(("units", i, "parent"), message))
        elif by_id[unit.id] is unit and (message := _parents_problem(unit, by_id)):
            problems.append(doc.problem(("units", i, "parent"), message))
    return problems


def _parents_problem(unit: Unit, by_id: dict[str, Unit]) -> str | None:
    """A loop of parents, or a unit deeper than allowed (a loop longer than that is told so)."""
    _chain, trouble = climb(unit.id, by_id)
    if trouble == "loop":
        return "the units' parents go round in a loop"
    if trouble == "deep":
        return (
            f"more than {MAX_UNIT_DEPTH} units above one another (parent of parent ...); "
            "organisations have a few levels"
        )
    return None


def _representatives(source: Source[UnitsFile]) -> list[ConfigProblem]:
    """A representative a unit names who already covers it through a parent unit."""
    doc, units = source.doc, source.model.units
    by_id = units_by_id(units)
    problems = []
    for i, unit in enumerate(units):
        chain = lineage(unit.id, by_id) if by_id[unit.id] is unit else None
        above = {upn: parent.id for parent in (chain or [])[:-1] for upn in parent.representatives}
        for n, upn in enumerate(unit.representatives):
            if upn in above:
                message = (
                    f"{upn} is already a representative of {above[upn]!r}, "
                    "whose representatives cover the units below it"
                )
                problems.append(doc.problem(("units", i, "representatives", n), message))
    return problems
