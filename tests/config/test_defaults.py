"""The configuration shipped in config/default: it loads, and answers in the right language."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from config.catalog import REQUIRED_TEXTS
from config.loader import LoadedConfig, default_config_dir, load_config
from config.schema import InterviewerKind, QuestionType
from dialogs.commands import Command, word_for
from journey.locale import SUPPORTED_LANGUAGES


@pytest.fixture(scope="module")
def config() -> LoadedConfig:
    return load_config(default_config_dir())


def test_the_shipped_configuration_loads(config: LoadedConfig) -> None:
    assert config.summary().startswith(
        # Every text the code uses, and no other.
        f"config OK: 3 units, 4 languages, {len(REQUIRED_TEXTS)} texts, 2 question sets"
    )
    assert config.unit_ids == ("social-care", "home-care", "technical-services")
    assert config.texts.languages == SUPPORTED_LANGUAGES


@pytest.mark.parametrize(
    ("locale", "word"),
    [
        ("da-DK", "fratrædelsessamtale"),
        ("sv-SE", "exitsamtal "),
        ("nb-NO", "exitsamtale "),
        ("nn-NO", "exitsamtale "),
        ("no", "exitsamtale "),
        ("fr-FR", "exit conversation"),
        (None, "exit conversation"),
    ],
)
def test_a_teams_locale_gets_texts_in_its_language(
    config: LoadedConfig, locale: str | None, word: str
) -> None:
    body = config.text("offer.body", locale, name="Sofie", minutes=60)
    assert word in body
    assert "Sofie" in body and "60" in body


def test_norwegian_locales_share_bokmal_and_every_language_reads_differently(
    config: LoadedConfig,
) -> None:
    offers = {locale: config.text("offer.title", locale) for locale in ("nb-NO", "nn-NO", "no")}
    assert len(set(offers.values())) == 1
    titles = {config.text("welcome.title", locale) for locale in ("da", "sv", "nb", "en")}
    assert len(titles) == 4


LEAD_KEYS = [
    "welcome.title",
    "welcome.body",
    "help.title",
    "help.intro",
    "help.command.help",
    "help.command.register",
    "help.command.status",
    "help.command.survey",
    "help.command.insights",
    "error.unknown_command",
    "error.generic",
    "error.not_allowed",
    "error.stale_action",
    "error.bad_input",
]


@pytest.mark.parametrize("key", LEAD_KEYS)
def test_welcome_help_and_error_texts_differ_per_language(config: LoadedConfig, key: str) -> None:
    texts = [config.text(key, language) for language in SUPPORTED_LANGUAGES]
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_texts_name_the_help_word_a_person_can_actually_write(
    config: LoadedConfig, language: str
) -> None:
    word = word_for(Command.HELP, language)
    assert word in config.text("error.unknown_command", language)
    assert f"**{word}**" in config.text("welcome.body", language)


def test_every_text_renders_in_every_language_and_unit(config: LoadedConfig) -> None:
    params = {name: "X" for names in REQUIRED_TEXTS.values() for name in names}
    for unit in (None, *config.unit_ids):
        for language in SUPPORTED_LANGUAGES:
            for key, names in REQUIRED_TEXTS.items():
                text = config.text(key, language, unit, **{n: params[n] for n in names})
                assert text and "{" not in text, (unit, language, key)


def test_a_units_own_text_wins_and_its_sub_unit_inherits_it(config: LoadedConfig) -> None:
    organisation = config.text("offer.body", "da-DK", name="Sofie", minutes=60)
    social = config.text("offer.body", "da-DK", unit="social-care", name="Sofie", minutes=60)
    home = config.text("offer.body", "da-DK", unit="home-care", name="Sofie", minutes=45)
    assert social != organisation
    assert "tillidsrepræsentant" in social and "tillidsrepræsentant" not in organisation
    assert "tillidsrepræsentant" in home and "45 minutter" in home
    assert config.text("offer.body", "da", "technical-services", name="A", minutes=1) == (
        config.text("offer.body", "da", name="A", minutes=1)
    )
    assert config.text("offer.body", "da", "no-such-unit", name="A", minutes=1) == (
        config.text("offer.body", "da", name="A", minutes=1)
    )


def test_a_unit_shapes_who_holds_the_conversation_and_for_how_long(
    config: LoadedConfig,
) -> None:
    assert config.unit(None).conversation.interviewers == [
        InterviewerKind.MANAGER,
        InterviewerKind.HR_PARTNER,
    ]
    social = config.unit("social-care").conversation
    assert InterviewerKind.POOL in social.interviewers
    assert social.pool == ["union.rep@contoso.example"]
    assert social.minutes == 60
    home = config.unit("home-care")
    assert home.conversation.pool == ["union.rep@contoso.example"]  # from social-care
    assert home.conversation.minutes == 45
    assert [t.isoformat("minutes") for t in home.calendar.working_hours.span] == ["07:00", "15:00"]
    assert home.calendar.time_zone == "Europe/Copenhagen"  # from the organisation
    assert config.unit("technical-services").conversation.minutes == 90
    assert config.unit("no-such-unit") == config.defaults


def test_the_survey_and_handover_follow_the_unit(config: LoadedConfig) -> None:
    standard = [s.id for s in config.survey_sections(None)]
    assert standard == [
        "reasons",
        "job_content",
        "motivation",
        "relations",
        "work_environment",
        "pay_benefits",
        "suggestions",
    ]
    home_pay = next(s for s in config.survey_sections("home-care") if s.id == "pay_benefits")
    assert [q.id for q in home_pay.questions] == ["pay_satisfaction"]
    assert [s.id for s in config.survey_sections("technical-services")] == [
        "reasons",
        "work_environment",
    ]
    assert [i.id for i in config.handover_checklist(None)] == [
        "tasks",
        "knowledge",
        "successor",
        "access_equipment",
    ]
    assert config.handover_checklist("technical-services")[-1].id == "keys_tools"


def test_the_standard_questions_come_from_the_seeds(config: LoadedConfig) -> None:
    questions = {
        q.id: q for section in config.question_set("standard").sections for q in section.questions
    }
    assert questions["recommend"].type == QuestionType.YES_NO and questions["recommend"].reportable
    assert questions["stay"].type == QuestionType.FREE_TEXT
    assert questions["reasons"].type == QuestionType.MULTIPLE_CHOICE
    assert questions["reasons"].reportable
    ratings = [q for q in questions.values() if q.type == QuestionType.RATING]
    assert len(ratings) >= 4 and all(q.reportable and q.points == 5 for q in ratings)
    assert questions["stay"].prompt.get("da-DK").startswith("Hvad kunne have fået dig til at blive")
    assert questions["stay"].prompt.get("nn-NO") == questions["stay"].prompt.nb


def test_hr_members_and_retention(config: LoadedConfig) -> None:
    assert config.is_hr_member("HR@contoso.example")
    assert not config.is_hr_member("leaver@contoso.example")
    assert config.retention_months == 12


def test_the_version_is_stable_and_follows_the_files(tmp_path: Path) -> None:
    copy = Path(shutil.copytree(default_config_dir(), tmp_path / "cfg"))
    first, again = load_config(copy).version, load_config(copy).version
    assert first == again == load_config(default_config_dir()).version
    organisation = copy / "organisation.yaml"
    organisation.write_text(organisation.read_text().replace("minutes: 60", "minutes: 75"))
    changed = load_config(copy)
    assert changed.version != first
    assert changed.unit(None).conversation.minutes == 75
