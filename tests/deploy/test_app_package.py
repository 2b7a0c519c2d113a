"""`exitbot package`: a Teams app package that passes the official schema, or no zip at all."""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from cli.main import main
from cli.package import png_info
from dialogs.commands import HR_ONLY, LOCAL, WORDS, Command
from tests.deploy.paths import APP_PACKAGE, PACKAGE_VARIABLES

APP_ID = "7c1f0a7e-3b7e-4a53-9c55-2f8f3f6f1b07"
HOST = "exitbot-prod.azurewebsites.net"


@pytest.fixture(autouse=True)
def deployment_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in PACKAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env file
    monkeypatch.setenv("MICROSOFT_APP_ID", APP_ID)
    monkeypatch.setenv("EXITBOT_PUBLIC_HOSTNAME", HOST)
    monkeypatch.setenv("EXITBOT_APP_VERSION", "1.4.0")
    monkeypatch.setenv("EXITBOT_PRIVACY_URL", "https://intranet.contoso.example/hr/privacy")


def package(source: Path, output: Path, schemas: Path) -> int:
    return main(
        ["package", "--source", str(source), "--output", str(output), "--schema-dir", str(schemas)]
    )


def schema_errors(document: dict, schema_file: Path) -> list[str]:
    validator = Draft4Validator(json.loads(schema_file.read_text(encoding="utf-8")))
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def png(width: int, height: int, color_type: int = 6) -> bytes:
    """A minimal valid PNG of one colour (RGBA by default, RGB with color_type=2)."""
    channels = 4 if color_type == 6 else 3
    rows = b"".join(b"\x00" + b"\x80" * (width * channels) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def editable_package(tmp_path: Path) -> Path:
    copy = tmp_path / "appPackage"
    shutil.copytree(APP_PACKAGE, copy, ignore=shutil.ignore_patterns("build", "*.py"))
    return copy


def test_the_package_passes_the_official_schema_with_the_settings_filled_in(
    tmp_path: Path, schemas: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out" / "exitbot.zip"
    assert package(APP_PACKAGE, output, schemas) == 0, capsys.readouterr().err

    with zipfile.ZipFile(output) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        files = {name: archive.read(name) for name in names}
    version = manifest["manifestVersion"]
    assert schema_errors(manifest, schemas / f"v{version}" / "MicrosoftTeams.schema.json") == []
    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == APP_ID
    assert manifest["bots"][0]["scopes"] == ["personal"]
    # No single sign-on: nothing asks Teams for a user token (OAuthPrompt, getAuthToken).
    assert "webApplicationInfo" not in manifest
    assert manifest["validDomains"] == [HOST]
    assert manifest["version"] == "1.4.0"
    assert manifest["developer"]["privacyUrl"] == "https://intranet.contoso.example/hr/privacy"
    assert manifest["developer"]["websiteUrl"] == f"https://{HOST}/"
    assert manifest["developer"]["termsOfUseUrl"] == f"https://{HOST}/terms"
    assert "${{" not in json.dumps(manifest)

    # Files at the zip's root, the icons at Teams' sizes, one translation per language.
    assert png_info(files["color.png"]).width == 192
    outline = png_info(files["outline.png"])
    assert (outline.width, outline.height, outline.transparent) == (32, 32, True)
    languages = manifest["localizationInfo"]
    assert languages["defaultLanguageTag"] == "en"
    assert {entry["languageTag"] for entry in languages["additionalLanguages"]} == {
        "da",
        "sv",
        "nb",
    }
    localization_schema = schemas / f"v{version}" / "MicrosoftTeams.Localization.schema.json"
    for name in ["en.json", "da.json", "sv.json", "nb.json"]:
        assert name in names
        assert schema_errors(json.loads(files[name]), localization_schema) == []
    assert all("/" not in name for name in names)


def test_the_same_settings_give_the_same_zip(tmp_path: Path, schemas: Path) -> None:
    assert package(APP_PACKAGE, tmp_path / "a.zip", schemas) == 0
    assert package(APP_PACKAGE, tmp_path / "b.zip", schemas) == 0
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_the_command_menu_offers_the_words_the_bot_understands() -> None:
    manifest = json.loads((APP_PACKAGE / "manifest.json").read_text(encoding="utf-8"))
    commands = manifest["bots"][0]["commandLists"][0]["commands"]
    for language in ("en", "da", "sv", "nb"):
        translated = json.loads((APP_PACKAGE / f"{language}.json").read_text(encoding="utf-8"))
        for index in range(len(commands)):
            title = translated[f"bots[0].commandLists[0].commands[{index}].title"]
            assert title in {words[language] for words in WORDS.values()}, (language, title)
    # Every command the bot understands is in the menu (Teams shows at most 10 per list).
    assert sorted(command["title"] for command in commands) == sorted(
        WORDS[c]["en"] for c in Command
    )
    assert len(commands) <= 10


def test_the_committed_icons_have_teams_sizes() -> None:
    color = png_info((APP_PACKAGE / "color.png").read_bytes())
    outline = png_info((APP_PACKAGE / "outline.png").read_bytes())
    assert (color.width, color.height) == (192, 192)
    assert (outline.width, outline.height, outline.transparent) == (32, 32, True)


def test_a_manifest_without_a_bot_id_names_the_field_and_writes_no_zip(
    tmp_path: Path, schemas: Path, editable_package: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest_file = editable_package / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    del manifest["bots"][0]["botId"]
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    output = tmp_path / "exitbot.zip"

    assert package(editable_package, output, schemas) == 1
    err = capsys.readouterr().err
    assert "manifest.json: bots[0]: 'botId' is a required property" in err
    assert "no package written" in err
    assert not output.exists()


def test_an_app_id_that_is_not_a_guid_names_the_setting(
    tmp_path: Path, schemas: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("MICROSOFT_APP_ID", "exitbot")
    output = tmp_path / "exitbot.zip"
    assert package(APP_PACKAGE, output, schemas) == 1
    err = capsys.readouterr().err
    assert "manifest.json: bots[0].botId: 'exitbot' does not match" in err
    assert "(set by MICROSOFT_APP_ID)" in err
    assert not output.exists()


@pytest.mark.parametrize("missing", ["MICROSOFT_APP_ID", "EXITBOT_PUBLIC_HOSTNAME"])
def test_a_missing_setting_is_named_and_no_zip_is_written(
    tmp_path: Path, schemas: Path, monkeypatch: pytest.MonkeyPatch, capsys, missing: str
) -> None:
    monkeypatch.delenv(missing)
    output = tmp_path / "exitbot.zip"
    assert package(APP_PACKAGE, output, schemas) == 2
    assert f"{missing}: Field required" in capsys.readouterr().err
    assert not output.exists()


@pytest.mark.parametrize(
    ("icon", "content", "message"),
    [
        ("color.png", png(100, 100), "icons.color: is 100×100 pixels; Teams needs 192×192"),
        ("outline.png", png(48, 48), "icons.outline: is 48×48 pixels; Teams needs 32×32"),
        ("outline.png", png(32, 32, color_type=2), "icons.outline: needs a transparent background"),
        ("color.png", b"GIF89a not a png", "color.png: icons.color: is not a PNG file"),
    ],
)
def test_a_wrong_icon_is_refused(
    tmp_path: Path, schemas: Path, editable_package: Path, capsys, icon, content, message
) -> None:
    (editable_package / icon).write_bytes(content)
    output = tmp_path / "exitbot.zip"
    output.write_bytes(b"yesterday's package")

    assert package(editable_package, output, schemas) == 1
    assert message in capsys.readouterr().err
    assert not output.exists(), "a stale zip must not survive a failed build"


def test_a_placeholder_without_a_value_is_refused(
    tmp_path: Path, schemas: Path, editable_package: Path, capsys
) -> None:
    manifest_file = editable_package / "manifest.json"
    text = manifest_file.read_text(encoding="utf-8")
    manifest_file.write_text(text.replace("${{EXITBOT_PUBLIC_HOSTNAME}}", "${{BOT_DOMAIN}}"))
    assert package(editable_package, tmp_path / "exitbot.zip", schemas) == 1
    assert "manifest.json: no value for ${{BOT_DOMAIN}}" in capsys.readouterr().err
    assert not (tmp_path / "exitbot.zip").exists()


def test_a_missing_schema_says_how_to_install_it(tmp_path: Path, capsys) -> None:
    assert package(APP_PACKAGE, tmp_path / "exitbot.zip", tmp_path / "nowhere") == 1
    assert "make install" in capsys.readouterr().err
    assert not (tmp_path / "exitbot.zip").exists()


def test_privacy_and_terms_default_to_the_pages_the_service_serves(
    tmp_path: Path, schemas: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EXITBOT_PRIVACY_URL")
    output = tmp_path / "exitbot.zip"
    assert package(APP_PACKAGE, output, schemas) == 0
    with zipfile.ZipFile(output) as archive:
        developer = json.loads(archive.read("manifest.json"))["developer"]
    # bot/public_pages.py serves these three (tests/bot/test_public_pages.py).
    assert developer["websiteUrl"] == f"https://{HOST}/"
    assert developer["privacyUrl"] == f"https://{HOST}/privacy"
    assert developer["termsOfUseUrl"] == f"https://{HOST}/terms"


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_organisation_name_is_refused_and_no_zip_is_written(
    tmp_path: Path, schemas: Path, monkeypatch: pytest.MonkeyPatch, capsys, name: str
) -> None:
    monkeypatch.setenv("EXITBOT_ORGANISATION_NAME", name)
    output = tmp_path / "exitbot.zip"
    output.write_bytes(b"yesterday's package")
    assert package(APP_PACKAGE, output, schemas) == 1
    err = capsys.readouterr().err
    assert "EXITBOT_ORGANISATION_NAME is empty: set it to your organisation's name" in err
    assert not output.exists()


def test_the_command_menu_says_who_may_use_each_command_in_every_language() -> None:
    manifest = json.loads((APP_PACKAGE / "manifest.json").read_text(encoding="utf-8"))
    commands = manifest["bots"][0]["commandLists"][0]["commands"]
    titles = [command["title"] for command in commands]
    assert WORDS[Command.INSIGHTS]["en"] in titles
    # A person sees one menu; a command not everyone may use names who may, as the bot
    # refuses the others (dialogs/commands.py HR_ONLY, LOCAL).
    who = {
        "en": ("HR: ", "HR and managers: "),
        "da": ("HR: ", "HR og ledere: "),
        "sv": ("HR: ", "HR och chefer: "),
        "nb": ("HR: ", "HR og ledere: "),
    }
    for language in ("en", "da", "sv", "nb"):
        translated = json.loads((APP_PACKAGE / f"{language}.json").read_text(encoding="utf-8"))
        for index, title in enumerate(titles):
            [command] = [c for c in Command if WORDS[c]["en"] == title]
            description = translated[f"bots[0].commandLists[0].commands[{index}].description"]
            hr, local = who[language]
            if command in HR_ONLY:
                assert description.startswith(hr), (language, title, description)
            elif command in LOCAL:
                assert description.startswith(local), (language, title, description)
            else:
                assert not description.startswith("HR"), (language, title, description)
