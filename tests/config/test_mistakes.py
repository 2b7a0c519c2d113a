"""HR's mistakes: each is reported as file:line:col: path: message, all of them at once."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from config.catalog import REQUIRED_TEXTS
from config.holder import ConfigHolder
from config.loader import ConfigError, load_config
from tests.config.builder import ORGANISATION, QUESTIONS, UNITS, texts_yaml, write_config


def problems_in(root: Path, files: Mapping[str, str | None]) -> list[str]:
    """The problems the loader reports, with the directory prefix taken off."""
    write_config(root, files)
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    return [str(problem).removeprefix(f"{root}/") for problem in caught.value.problems]


def org(old: str, new: str) -> dict[str, str]:
    assert old in ORGANISATION
    return {"organisation.yaml": ORGANISATION.replace(old, new)}


def units(old: str, new: str) -> dict[str, str]:
    assert old in UNITS
    return {"units.yaml": UNITS.replace(old, new)}


def questions(old: str, new: str) -> dict[str, str]:
    assert old in QUESTIONS
    return {"questions.yaml": QUESTIONS.replace(old, new)}


def unit_texts(texts: str) -> dict[str, str]:
    """Texts for the second unit (roads), whose block ends units.yaml at line 10."""
    return {"units.yaml": UNITS + "    texts:\n" + texts}


CASES: dict[str, tuple[dict[str, str | None], list[str]]] = {
    "a text missing in one language": (
        {"texts/sv.yaml": texts_yaml("sv", drop=frozenset({"offer.body"}))},
        ["texts/sv.yaml:1:1: offer.body: text missing in sv (present in da, nb, en)"],
    ),
    "a text key misspelt in one language": (
        {
            "texts/sv.yaml": texts_yaml(
                "sv", first={"offer.titel": "Vill du?"}, drop=frozenset({"offer.title"})
            )
        },
        [
            "texts/sv.yaml:1:1: offer.titel: text only in sv; did you mean 'offer.title'?",
            "texts/sv.yaml:1:1: offer.title: text missing in sv (present in da, nb, en)",
        ],
    ),
    "an unknown key": (
        org("minutes: 60", "minuts: 60"),
        [
            "organisation.yaml:6:5: defaults.conversation.minuts: "
            "unknown key 'minuts'; did you mean 'minutes'?"
        ],
    ),
    "a wrong type": (
        org("minutes: 60", "minutes: sixty"),
        [
            "organisation.yaml:6:14: defaults.conversation.minutes: input should be a valid "
            "integer, unable to parse string as an integer (got 'sixty')"
        ],
    ),
    "a conversation longer than three hours": (
        org("minutes: 60", "minutes: 240"),
        [
            "organisation.yaml:6:14: defaults.conversation.minutes: "
            "input should be less than or equal to 180 (got 240)"
        ],
    ),
    "a unit picking a section that does not exist": (
        units("sections: [about]", "sections: [about, abuot]"),
        [
            "units.yaml:10:25: units[1].survey.sections[1]: "
            "no section 'abuot' in question set 'basic'; did you mean 'about'?"
        ],
    ),
    "a unit skipping a question that does not exist": (
        units("sections: [about]", "skip_questions: [nope]"),
        [
            "units.yaml:10:24: units[1].survey.skip_questions[0]: "
            "no question 'nope' in question set 'basic'; known: reasons, recommend, stay"
        ],
    ),
    "a unit leaving out every question": (
        units("sections: [about]", "sections: [more]\n      skip_questions: [stay]"),
        ["units.yaml:9:5: units[1].survey: the survey leaves no questions to ask"],
    ),
    "an unknown question set": (
        org("question_set: basic", "question_set: basik"),
        [
            "organisation.yaml:15:19: defaults.survey.question_set: "
            "unknown question set 'basik'; did you mean 'basic'?"
        ],
    ),
    "an unknown handover item": (
        {"organisation.yaml": ORGANISATION + "  handover: [tasks, keys]\n"},
        [
            "organisation.yaml:16:21: defaults.handover[1]: "
            "unknown handover item 'keys'; known: tasks"
        ],
    ),
    "a negative reminder offset": (
        org("handover_days_before: 10", "handover_days_before: -1"),
        [
            "organisation.yaml:13:27: defaults.reminders.handover_days_before: "
            "input should be greater than or equal to 0 (got -1)"
        ],
    ),
    "an unknown time zone": (
        org("Europe/Copenhagen", "Europe/Kopenhagen"),
        [
            "organisation.yaml:10:16: defaults.calendar.time_zone: unknown time zone "
            "'Europe/Kopenhagen'; use an IANA name such as Europe/Copenhagen"
        ],
    ),
    "invalid YAML": (
        org("members: [hr@example.org]", "members: [hr@example.org"),
        [
            "organisation.yaml:4:9: (file): YAML syntax: expected ',' or ']', "
            "but got ':' (while parsing a flow sequence)"
        ],
    ),
    "a key written twice": (
        org("name: Testkommune", "name: Testkommune\nname: Other"),
        [
            'organisation.yaml:2:1: (file): YAML syntax: found duplicate key "name" with value '
            '"Other" (original value: "Testkommune") (while constructing a mapping)'
        ],
    ),
    "a duplicate unit": (
        units("id: roads", "id: care"),
        ["units.yaml:7:9: units[1].id: unit 'care' twice (first on line 2)"],
    ),
    "a question prompt missing a language": (
        questions(
            "prompt: {da: Blive?, sv: Stanna?, nb: Bli?, en: Stay?}",
            "prompt: {da: Blive?, sv: Stanna?, en: Stay?}",
        ),
        [
            "questions.yaml:26:13: question_sets[0].sections[1].questions[0].prompt.nb: "
            "the nb text is missing; every text needs da, sv, nb, en"
        ],
    ),
    "a duplicate question id": (
        questions("id: stay", "id: recommend"),
        [
            "questions.yaml:24:17: question_sets[0].sections[1].questions[0].id: "
            "question id 'recommend' twice (first on line 17)"
        ],
    ),
    "a duplicate option id": (
        questions("id: other", "id: pay"),
        [
            "questions.yaml:15:21: question_sets[0].sections[0].questions[0].options[1].id: "
            "option id 'pay' twice (first on line 13)"
        ],
    ),
    "a time that is not HH:MM": (
        org('start: "08:00"', 'start: "8:00"'),
        [
            "organisation.yaml:11:28: defaults.calendar.working_hours.start: "
            "'8:00' is not a time of day as HH:MM, e.g. 08:00 or 16:30"
        ],
    ),
    "a working day that ends before it starts": (
        org('end: "16:00"', 'end: "07:30"'),
        [
            "organisation.yaml:11:42: defaults.calendar.working_hours.end: "
            "the working day must end after it starts (08:00)"
        ],
    ),
    "languages using different placeholders": (
        {"texts/da.yaml": texts_yaml("da", first={"offer.body": "Hej {name}"})},
        [
            "texts/da.yaml:1:13: offer.body: uses placeholders {name}, but sv, nb, en use "
            "{minutes}, {name}; every language must use the same ones"
        ],
    ),
    "a placeholder the bot does not fill in": (
        {"texts/en.yaml": texts_yaml("en", first={"error.unknown_command": "No idea: {text}"})},
        [
            "texts/en.yaml:1:24: error.unknown_command: uses {text}, which the bot does not "
            "fill in here; this text can use none"
        ],
    ),
    "a malformed placeholder": (
        {"texts/nb.yaml": texts_yaml("nb", first={"survey.progress": "{current av {total}"})},
        [
            "texts/nb.yaml:1:18: survey.progress: malformed placeholder (unexpected '{' "
            "in field name); write {name}, or {{ for a brace"
        ],
    ),
    "a choice question without options": (
        questions("type: yes_no", "type: single_choice"),
        [
            "questions.yaml:17:13: question_sets[0].sections[0].questions[1].options: "
            "required, but missing"
        ],
    ),
    "an unknown question type": (
        questions("type: yes_no", "type: yesno"),
        [
            "questions.yaml:18:19: question_sets[0].sections[0].questions[1].type: unknown type "
            "'yesno'; use one of 'single_choice', 'multiple_choice', 'rating', 'free_text', "
            "'yes_no'"
        ],
    ),
    "a reportable free-text question": (
        questions("type: free_text", "type: free_text\n            reportable: true"),
        [
            "questions.yaml:26:25: question_sets[0].sections[1].questions[0].reportable: "
            "free-text answers cannot be reportable: they may identify the person"
        ],
    ),
    "a unit rewording a text that does not exist": (
        unit_texts("      offer.bdy: {da: a, sv: b, nb: c, en: d}\n"),
        [
            "units.yaml:12:7: units[1].texts.offer.bdy: "
            "unknown text key 'offer.bdy'; did you mean 'offer.body'?"
        ],
    ),
    "a unit text missing a language": (
        unit_texts("      offer.title: {da: a, sv: b, en: d}\n"),
        [
            "units.yaml:12:7: units[1].texts.offer.title.nb: "
            "the nb text is missing; every text needs da, sv, nb, en"
        ],
    ),
    "a unit text in an unknown language": (
        unit_texts("      offer.title: {da: a, sv: b, nb: c, en: d, fr: e}\n"),
        [
            "units.yaml:12:49: units[1].texts.offer.title.fr: unknown key 'fr'; "
            "allowed here: da, sv, nb, en"
        ],
    ),
    "a unit under a parent that does not exist": (
        {"units.yaml": UNITS + "    parent: nowhere\n"},
        ["units.yaml:11:13: units[1].parent: unknown unit 'nowhere'; known: care, roads"],
    ),
    "units that are each other's parent": (
        {
            "units.yaml": UNITS.replace("    name: Care\n", "    name: Care\n    parent: roads\n")
            + "    parent: care\n"
        },
        [
            "units.yaml:4:13: units[0].parent: the units' parents go round in a loop",
            "units.yaml:12:13: units[1].parent: the units' parents go round in a loop",
        ],
    ),
    "a pool offered but empty": (
        units("pool: [rep@example.org]", "pool: []"),
        [
            "units.yaml:6:7: units[0].conversation.pool: "
            "the pool is offered (interviewers) but lists nobody"
        ],
    ),
    "no HR at all": (
        org("members: [hr@example.org]", "members: []"),
        [
            "organisation.yaml:2:1: hr: name at least one HR member (members) or an Entra ID "
            "group (entra_group_id); otherwise nobody can register a departure"
        ],
    ),
    "an address that is not a UPN": (
        org("partner@example.org", "partner at example.org"),
        [
            "organisation.yaml:8:19: defaults.conversation.hr_partners[0]: "
            "'partner at example.org' is not a user principal name such as anna@contoso.com"
        ],
    ),
    "a misspelt file name": (
        {"organization.yaml": "name: x\n"},
        ["organization.yaml:1:1: (file): unknown file, not read; did you mean organisation.yaml?"],
    ),
    "a missing file": (
        {"texts/nb.yaml": None},
        ["texts/nb.yaml:1:1: (file): file missing; it is required"],
    ),
    "an empty file": (
        {"handover.yaml": "# nothing yet\n"},
        ["handover.yaml:1:1: (file): the file is empty"],
    ),
}


@pytest.mark.parametrize(("files", "expected"), CASES.values(), ids=CASES.keys())
def test_a_mistake_is_reported_where_it_is(
    tmp_path: Path, files: dict[str, str | None], expected: list[str]
) -> None:
    assert problems_in(tmp_path, files) == expected


def test_the_small_configuration_itself_is_valid(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    assert config.summary().startswith(
        f"config OK: 2 units, 4 languages, {len(REQUIRED_TEXTS)} texts, 1 question sets"
    )


def test_every_mistake_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    broken = (
        ORGANISATION.replace("minutes: 60", "minutes: 200")
        .replace("Europe/Copenhagen", "Mars/Base")
        .replace(
            "handover_days_before: 10", "handover_days_before: -3\n    farewell_days_before: x"
        )
    )
    files = {
        "organisation.yaml": broken,
        **questions("type: yes_no", "type: rating"),
    }
    assert problems_in(tmp_path, files) == [
        "organisation.yaml:6:14: defaults.conversation.minutes: "
        "input should be less than or equal to 180 (got 200)",
        "organisation.yaml:10:16: defaults.calendar.time_zone: "
        "unknown time zone 'Mars/Base'; use an IANA name such as Europe/Copenhagen",
        "organisation.yaml:13:27: defaults.reminders.handover_days_before: "
        "input should be greater than or equal to 0 (got -3)",
        "organisation.yaml:14:27: defaults.reminders.farewell_days_before: "
        "input should be a valid integer, unable to parse string as an integer (got 'x')",
        "questions.yaml:17:13: question_sets[0].sections[0].questions[1].high_label: "
        "required, but missing",
        "questions.yaml:17:13: question_sets[0].sections[0].questions[1].low_label: "
        "required, but missing",
    ]


def test_cross_file_mistakes_are_all_reported_together(tmp_path: Path) -> None:
    files = {
        **units("sections: [about]", "sections: [nope]\n    handover: [keys]"),
        "texts/sv.yaml": texts_yaml("sv", drop=frozenset({"offer.body", "help.title"})),
    }
    problems = problems_in(tmp_path, files)
    assert [problem.split(": ")[0] for problem in problems] == [
        "texts/sv.yaml:1:1",
        "texts/sv.yaml:1:1",
        "units.yaml:10:18",
        "units.yaml:11:16",
    ]
    assert "help.title: text missing in sv" in problems[0]
    assert "offer.body: text missing in sv" in problems[1]


def test_a_broken_file_does_not_hide_mistakes_in_the_others(tmp_path: Path) -> None:
    files = {**org("minutes: 60", "minutes: 5"), "units.yaml": UNITS + "    parent: nowhere\n"}
    assert problems_in(tmp_path, files) == [
        "organisation.yaml:6:14: defaults.conversation.minutes: "
        "input should be greater than or equal to 15 (got 5)",
        "units.yaml:11:13: units[1].parent: unknown unit 'nowhere'; known: care, roads",
    ]


def test_a_config_error_prints_one_problem_a_line(tmp_path: Path) -> None:
    write_config(tmp_path, org("minutes: 60", "minutes: 1"))
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.col) == (str(tmp_path / "organisation.yaml"), 6, 14)
    assert problem.path == "defaults.conversation.minutes"
    assert str(caught.value) == str(problem)


def test_messages_name_files_as_the_directory_was_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path / "hr-config", org("minutes: 60", "minutes: 1"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_config(Path("hr-config"))
    assert str(caught.value).startswith("hr-config/organisation.yaml:6:14: ")


def test_a_norwegian_no_key_stays_the_string_no(tmp_path: Path) -> None:
    # PyYAML would read `no:` as False; ruamel (YAML 1.2) keeps it, and `no` means Bokmål.
    files = unit_texts("      offer.title: {da: Dansk, sv: Svensk, no: Norsk, en: English}\n")
    config = load_config(write_config(tmp_path, files))
    for locale in ("nb-NO", "nn-NO", "no"):
        assert config.text("offer.title", locale, unit="roads") == "Norsk"
    assert config.text("offer.title", "da-DK", unit="roads") == "Dansk"
    assert config.text("offer.title", "nb-NO") == "nb: offer.title"


def test_an_unquoted_time_stays_a_time_of_day(tmp_path: Path) -> None:
    # PyYAML would read 09:30 as the number 570 (sexagesimal); YAML 1.2 keeps the string.
    files = org('{start: "08:00", end: "16:00"}', "{start: 09:30, end: 16:00}")
    config = load_config(write_config(tmp_path, files))
    assert config.defaults.calendar.working_hours.start == "09:30"


def test_a_unit_text_wins_over_the_organisation_text(tmp_path: Path) -> None:
    files = unit_texts(
        "      offer.body: {da: 'Hej {name}', sv: 'Hej {name}', nb: 'Hei {name}', "
        "en: 'Hello {name}'}\n"
    )
    config = load_config(write_config(tmp_path, files))
    assert config.text("offer.body", "en-GB", unit="roads", name="Ana", minutes=5) == "Hello Ana"
    assert config.text("offer.body", "en-GB", unit="care", name="Ana", minutes=5) == (
        "en: offer.body 5 Ana"
    )


def test_a_reload_keeps_the_last_good_configuration(tmp_path: Path) -> None:
    holder = ConfigHolder.load(write_config(tmp_path))
    good = holder.current
    write_config(tmp_path, org("minutes: 60", "minutes: -5"))
    problems = holder.reload()
    assert problems == [
        f"{tmp_path}/organisation.yaml:6:14: defaults.conversation.minutes: "
        "input should be greater than or equal to 15 (got -5)"
    ]
    assert holder.current is good
    write_config(tmp_path, org("minutes: 60", "minutes: 30"))
    assert holder.reload() == []
    assert holder.current.version != good.version
    assert holder.current.unit(None).conversation.minutes == 30


def test_an_organisation_that_writes_only_its_name_gets_the_documented_defaults(
    tmp_path: Path,
) -> None:
    files = {
        "organisation.yaml": "name: Lille Kommune\nhr:\n  members: [hr@example.org]\n",
        "units.yaml": None,
        **questions("- id: basic", "- id: standard"),
    }
    config = load_config(write_config(tmp_path, files))
    defaults = config.unit(None)
    assert defaults.conversation.minutes == 60
    assert defaults.conversation.interviewers == ["manager"]
    assert defaults.calendar.weekday_numbers == frozenset({0, 1, 2, 3, 4})
    assert [t.isoformat("minutes") for t in defaults.calendar.working_hours.span] == [
        "08:00",
        "16:00",
    ]
    assert defaults.reminders.model_dump() == {
        "handover_days_before": 14,
        "conversation_working_days_before": 1,
        "farewell_days_before": 3,
        "escalate_after_working_days": 3,
        "escalate_unanswered_offer_to_manager": False,
    }
    assert defaults.thank_you_offers == ["reference_letter", "alumni", "contact_later"]
    # Issue 11: the offers reach every leaver; escalations about the interviewer go to the
    # first HR partner or HR member unless the unit names its HR contact.
    assert defaults.farewell.gestures_for_everyone is True
    assert defaults.hr_contact is None
    assert config.retention_months == 12
    assert config.summary().startswith("config OK: 0 units,")
