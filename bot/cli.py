"""The `exitbot` command: serve, check-config, db upgrade, demo, departures import, package,
privacy erase/export, audit."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _fail(message: str, code: int = EXIT_INVALID) -> int:
    print(f"exitbot: {message}", file=sys.stderr)
    return code


def check_config(directory: Path | None) -> int:
    """Validate HR's YAML: every mistake as file:line:col, or a one-line summary."""
    from config.loader import ConfigError, default_config_dir, load_config

    target = directory or default_config_dir()
    if not target.is_dir():
        return _fail(f"{target}: no such configuration directory")
    try:
        config = load_config(target)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return _fail(f"{len(exc.problems)} problem(s) in {target}")
    print(config.summary())
    return EXIT_OK


async def _db_upgrade() -> int:
    from bot.settings import DatabaseSettings, SettingsError, load_settings
    from storage.database import DatabaseUnavailable, redact_url
    from storage.migrate import current_revision, upgrade

    try:
        settings = load_settings(DatabaseSettings)
    except SettingsError as exc:
        return _fail(str(exc), EXIT_USAGE)
    try:
        await upgrade(settings.database_url)
        revision = await current_revision(settings.database_url)
    except DatabaseUnavailable as exc:
        return _fail(str(exc))
    print(f"database at {redact_url(settings.database_url)} is at revision {revision}")
    return EXIT_OK


async def _preflight(settings) -> str | None:
    """Reach the database and check its schema before listening; a message if that fails."""
    from storage.database import Database, DatabaseUnavailable
    from storage.migrate import SchemaOutOfDate, check_schema

    try:
        db = await Database.open(settings.database_url)
    except DatabaseUnavailable as exc:
        return str(exc)
    try:
        await check_schema(db)
    except SchemaOutOfDate as exc:
        return str(exc)
    finally:
        await db.close()
    return None


def serve(host: str | None, port: int | None) -> int:
    """Start the service; refuse to on bad settings, bad config or an unreachable database."""
    from aiohttp import web

    from bot.app import create_app
    from bot.settings import SettingsError, load_settings
    from config.loader import ConfigError
    from storage.database import DatabaseUnavailable
    from storage.migrate import SchemaOutOfDate

    overrides = {k: v for k, v in {"EXITBOT_HOST": host, "EXITBOT_PORT": port}.items() if v}
    try:
        settings = load_settings(**overrides)
    except SettingsError as exc:
        return _fail(str(exc), EXIT_USAGE)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if (code := check_config(settings.config_dir)) != EXIT_OK:
        return _fail("refusing to start on an invalid configuration", code)
    if (problem := asyncio.run(_preflight(settings))) is not None:
        return _fail(problem)
    try:
        app = create_app(settings)
    except ConfigError as exc:  # the files changed between the check and now
        return _fail("; ".join(str(p) for p in exc.problems))
    print(f"exitbot listening on http://{settings.host}:{settings.port}/api/messages", flush=True)
    try:
        web.run_app(app, host=settings.host, port=settings.port, print=None)
    except (SettingsError, DatabaseUnavailable, SchemaOutOfDate) as exc:
        # Raised while the app's resources open (e.g. Graph without TEAMS_APP_CATALOG_ID):
        # one line that names what to fix, not a traceback.
        return _fail(str(exc))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="exitbot", description="The exit conversation bot.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="run the bot service")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    check = commands.add_parser("check-config", help="validate HR's YAML configuration")
    check.add_argument("directory", nargs="?", type=Path)
    commands.add_parser(
        "demo", help="run the bot in local mode next to Microsoft 365 Agents Playground"
    )
    db = commands.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade"])
    departures = commands.add_parser("departures", help="register departures from HR's files")
    actions = departures.add_subparsers(dest="departures_action", required=True)
    csv_import = actions.add_parser(
        "import",
        help="register the departures in a CSV file",
        description="Columns, exactly: external_id,leaver,manager,unit,last_working_day,locale,"
        "interviewer_pool, optionally followed by cancelled (yes cancels the departure of that "
        "external_id). UTF-8, dates as yyyy-mm-dd. Exit code 0 when every row was "
        "registered (or unchanged), 1 when a row was rejected, 2 when nothing could be imported.",
    )
    csv_import.add_argument("file", type=Path)
    csv_import.add_argument(
        "--dry-run", action="store_true", help="check every row and report; write nothing"
    )
    privacy = commands.add_parser("privacy", help="a person's data, on their request")
    privacy_actions = privacy.add_subparsers(dest="privacy_action", required=True)
    erase = privacy_actions.add_parser(
        "erase",
        help="erase what the bot holds about a person",
        description="Anonymises the departures where the person is the leaver (what stays is "
        "what retention keeps), deletes their conversation references and erases their name "
        "as an actor in the audit log. Exit code 0 when done, 1 when nothing is stored about "
        "the person, 2 when the command could not run.",
    )
    erase.add_argument("--person", required=True, metavar="UPN")
    erase.add_argument(
        "--dry-run", action="store_true", help="list what would go, per table; change nothing"
    )
    export = privacy_actions.add_parser(
        "export",
        help="write what the bot holds about a person as JSON",
        description="Exit code 0 when written, 1 when nothing is stored about the person, "
        "2 when the command could not run (the file must not exist yet).",
    )
    export.add_argument("--person", required=True, metavar="UPN")
    export.add_argument("file", type=Path, metavar="FILE.json")
    audit = commands.add_parser(
        "audit",
        help="who read or changed what about a departure, and when",
        description="One line per entry, oldest first, no message text. Exit code 1 for an "
        "unknown departure.",
    )
    audit.add_argument("--departure", required=True, metavar="ID")
    insights = commands.add_parser("insights", help="what HR learns across departures")
    insights_actions = insights.add_subparsers(dest="insights_action", required=True)
    insights_export = insights_actions.add_parser(
        "export",
        help="write the insights figures (aggregates only) as CSV or Excel",
        description="The figures of the insights card for whole months --from..--to (and the "
        "period of the same length before), for the organisation or one --unit. Figures for "
        "groups below the minimum (organisation.yaml, insights) are written as 'hidden'. "
        "Exit code 0 when written, 1 when it could not be, 2 for bad arguments.",
    )
    insights_export.add_argument("--from", dest="first", required=True, metavar="YYYY-MM")
    insights_export.add_argument("--to", dest="last", required=True, metavar="YYYY-MM")
    insights_export.add_argument("--unit", metavar="ID")
    insights_export.add_argument(
        "--language", choices=["da", "sv", "nb", "en"], default="en", help="for the labels"
    )
    insights_export.add_argument("file", type=Path, metavar="FILE.csv|FILE.xlsx")
    package = commands.add_parser(
        "package",
        help="build the Teams app package (zip) from appPackage/ and the settings",
        description="Fills in MICROSOFT_APP_ID and EXITBOT_PUBLIC_HOSTNAME (and the optional "
        "EXITBOT_APP_VERSION, EXITBOT_ORGANISATION_NAME, EXITBOT_WEBSITE_URL, "
        "EXITBOT_PRIVACY_URL, EXITBOT_TERMS_URL), validates against the official manifest "
        "schema and the icon sizes, and writes the zip only when all is well.",
    )
    package.add_argument("--source", type=Path, default=Path("appPackage"))
    package.add_argument("--output", type=Path, default=Path("appPackage/build/appPackage.zip"))
    package.add_argument(
        "--schema-dir",
        type=Path,
        help="the teams/ folder of npm @microsoft/app-manifest's json-schemas (default: "
        "node_modules/@microsoft/app-manifest/build/json-schemas/teams)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args.host, args.port)
    if args.command == "check-config":
        return check_config(args.directory)
    if args.command == "demo":
        from bot.demo import run_demo

        return run_demo(Path.cwd())
    if args.command == "departures":
        from bot.csv_import import import_command

        return import_command(args.file, dry_run=args.dry_run)
    if args.command == "privacy":
        from bot.privacy_cli import erase_command, export_command

        if args.privacy_action == "erase":
            return erase_command(args.person, dry_run=args.dry_run)
        return export_command(args.person, args.file)
    if args.command == "audit":
        from bot.privacy_cli import audit_command

        return audit_command(args.departure)
    if args.command == "insights":
        from bot.insights_export import export_command as insights_export_command

        return insights_export_command(args.first, args.last, args.unit, args.file, args.language)
    if args.command == "package":
        from bot.app_package import package_command

        return package_command(args.source, args.output, args.schema_dir)
    return asyncio.run(_db_upgrade())


if __name__ == "__main__":
    sys.exit(main())
