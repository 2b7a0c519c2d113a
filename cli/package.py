"""`exitbot package`: the Teams app package (manifest, icons, translations) as a zip.

The templates in appPackage/ carry `${{NAME}}` placeholders, the convention Microsoft 365
Agents Toolkit resolves from its env files; here they come from the settings. The result is
checked against the official JSON schema (npm `@microsoft/app-manifest`) and the icon sizes
Teams requires before a zip is written, so a package that Teams would refuse never exists.
"""

from __future__ import annotations

import io
import json
import re
import struct
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.settings import AppPackageSettings
from cli.errors import EXIT_INVALID, EXIT_OK, CommandFailed
from cli.startup import command_settings

SCHEMA_PACKAGE = Path("node_modules/@microsoft/app-manifest/build/json-schemas/teams")
MANIFEST = "manifest.json"
PLACEHOLDER = re.compile(r"\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Teams' rules for the two icons: (width, height, must have transparency).
ICON_RULES = {"color": (192, 192, False), "outline": (32, 32, True)}


class PackageError(ValueError):
    """The package cannot be built; each problem names the file and the field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class PngInfo:
    width: int
    height: int
    transparent: bool


def png_info(data: bytes) -> PngInfo:
    """Size and transparency from a PNG's header bytes; ValueError if it is not a PNG."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("is not a PNG file")
    width, height, _depth, color_type = struct.unpack(">IIBB", data[16:26])
    # Colour types 4 and 6 carry an alpha channel; a tRNS chunk adds transparency to the rest.
    return PngInfo(width, height, color_type in (4, 6) or b"tRNS" in data)


def substitute(text: str, values: dict[str, str], file: str) -> str:
    """Replace every `${{NAME}}`; an unknown name is a problem, not an empty string."""
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in values})
    if unknown:
        raise PackageError([f"{file}: no value for ${{{{{name}}}}}" for name in unknown])
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def _field(path: Any) -> str:
    """`bots[0].botId` from jsonschema's path; `(top level)` for the document itself."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _schema_problems(
    document: Any, schema: dict[str, Any], file: str, hint: dict[str, str]
) -> Iterator[str]:
    from jsonschema import Draft4Validator

    validator = Draft4Validator(schema)
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path))):
        field = _field(error.absolute_path)
        source = hint.get(field)
        suffix = f" (set by {source})" if source else ""
        yield f"{file}: {field}: {error.message}{suffix}"


def _placeholder_fields(template: Any, path: tuple[Any, ...] = ()) -> dict[str, str]:
    """Which field got which placeholder, so an error can name the setting behind it."""
    found: dict[str, str] = {}
    if isinstance(template, dict):
        for key, value in template.items():
            found |= _placeholder_fields(value, (*path, key))
    elif isinstance(template, list):
        for index, value in enumerate(template):
            found |= _placeholder_fields(value, (*path, index))
    elif isinstance(template, str) and (names := PLACEHOLDER.findall(template)):
        found[_field(path)] = ", ".join(names)
    return found


def _load_json(source: Path, name: str) -> Any:
    path = source / name
    if not path.is_file():
        raise PackageError([f"{name}: no such file in {source}"])
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PackageError([f"{name}:{exc.lineno}:{exc.colno}: {exc.msg}"]) from None


def _schema(schema_root: Path, version: str, kind: str) -> dict[str, Any]:
    path = schema_root / f"v{version}" / f"MicrosoftTeams.{kind}schema.json"
    if not path.is_file():
        raise PackageError(
            [
                f"{MANIFEST}: manifestVersion: no schema for {version!r} at {path} "
                "(run `make install`, which installs the npm package @microsoft/app-manifest)"
            ]
        )
    return json.loads(path.read_text(encoding="utf-8"))


def build_package(source: Path, values: dict[str, str], schema_root: Path) -> bytes:
    """The zip's bytes, or PackageError listing every problem found."""
    template = _load_json(source, MANIFEST)
    hint = _placeholder_fields(template)
    manifest = json.loads(substitute((source / MANIFEST).read_text("utf-8"), values, MANIFEST))
    version = str(manifest.get("manifestVersion", ""))
    problems = list(_schema_problems(manifest, _schema(schema_root, version, ""), MANIFEST, hint))

    files: dict[str, bytes] = {}
    for role, (width, height, transparent) in ICON_RULES.items():
        name = (manifest.get("icons") or {}).get(role)
        if not isinstance(name, str):
            continue  # the schema has already said it is missing
        if not (source / name).is_file():
            problems.append(f"{MANIFEST}: icons.{role}: {name} does not exist")
            continue
        data = (source / name).read_bytes()
        try:
            info = png_info(data)
        except ValueError as exc:
            problems.append(f"{name}: icons.{role}: {exc}")
            continue
        if (info.width, info.height) != (width, height):
            problems.append(
                f"{name}: icons.{role}: is {info.width}×{info.height} pixels; "
                f"Teams needs {width}×{height}"
            )
        if transparent and not info.transparent:
            problems.append(f"{name}: icons.{role}: needs a transparent background")
        files[name] = data

    localization = manifest.get("localizationInfo") or {}
    languages = [localization.get("defaultLanguageFile")] + [
        entry.get("file") for entry in localization.get("additionalLanguages") or []
    ]
    for name in filter(None, languages):
        if not (source / name).is_file():
            problems.append(f"{MANIFEST}: localizationInfo: {name} does not exist")
            continue
        text = substitute((source / name).read_text("utf-8"), values, name)
        translated = json.loads(text)
        schema = _schema(schema_root, version, "Localization.")
        problems.extend(_schema_problems(translated, schema, name, {}))
        files[name] = text.encode("utf-8")

    if problems:
        raise PackageError(problems)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # Teams wants the files at the zip's root; a fixed date makes equal inputs equal zips.
        entries = {MANIFEST: json.dumps(manifest, ensure_ascii=False, indent=2).encode()}
        for name, data in (entries | files).items():
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return buffer.getvalue()


def package_values(settings: AppPackageSettings) -> dict[str, str]:
    """The placeholders' values; privacy and terms default to the pages the service serves
    (bot/public_pages.py), an empty organisation name is refused (Teams shows it as the
    app's developer)."""
    if not settings.organisation_name.strip():
        raise PackageError(
            [
                "EXITBOT_ORGANISATION_NAME is empty: set it to your organisation's name (at most "
                "32 characters), which Teams shows as the app's developer"
            ]
        )
    values = settings.placeholders()
    site = f"https://{settings.public_hostname}"
    if not settings.privacy_url:
        values["EXITBOT_PRIVACY_URL"] = f"{site}/privacy"
    if not settings.terms_url:
        values["EXITBOT_TERMS_URL"] = f"{site}/terms"
    return values


def package_command(source: Path, output: Path, schema_root: Path | None) -> int:
    """Build the package from settings; exit 0 and the zip, or 1 and no zip."""
    settings = command_settings(AppPackageSettings)
    try:
        data = build_package(source, package_values(settings), schema_root or SCHEMA_PACKAGE)
    except PackageError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        if output.exists():  # a stale zip could be uploaded by mistake for the new one
            output.unlink()
        problems = len(exc.problems)
        raise CommandFailed(f"{problems} problem(s); no package written", EXIT_INVALID) from None
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.write_bytes(data)
    partial.replace(output)
    print(f"wrote {output} for bot {settings.app_id} at {settings.public_hostname}")
    return EXIT_OK
