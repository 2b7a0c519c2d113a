"""The `exitbot` command: serve, check-config, db upgrade, demo, departures import, package,
privacy erase/export, audit, insights export, alumni export/withdraw."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cli.errors import explained

Subcommands = Any  # argparse's _SubParsersAction, which it does not export


def _command(target: str) -> Callable[..., int]:
    """The command function `module:name`, imported only when it runs (fast --help)."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _add_service(commands: Subcommands) -> None:
    run = commands.add_parser("serve", help="run the bot service")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.set_defaults(run=lambda a: _command("cli.serve:serve")(a.host, a.port))
    check = commands.add_parser("check-config", help="validate HR's YAML configuration")
    check.add_argument("directory", nargs="?", type=Path)
    check.set_defaults(run=lambda a: _command("cli.serve:check_config")(a.directory))
    demo = commands.add_parser(
        "demo", help="run the bot in local mode next to Microsoft 365 Agents Playground"
    )
    demo.set_defaults(run=lambda a: _command("cli.demo:run_demo")(Path.cwd()))
    db = commands.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade", "grant"])
    db.add_argument("login", nargs="?", help="grant: the login that may use the schema")
    db.set_defaults(
        run=lambda a: (
            _command("cli.db:grant_command")(a.login)
            if a.action == "grant"
            else _command("cli.db:upgrade_command")()
        )
    )


def _add_departures(commands: Subcommands) -> None:
    departures = commands.add_parser("departures", help="register departures from HR's files")
    actions = departures.add_subparsers(dest="departures_action", required=True)
    csv_import = actions.add_parser(
        "import",
        help="register the departures in a CSV file",
        description="Columns, exactly: external_id,leaver,manager,unit,last_working_day,locale,"
        "interviewer_pool, optionally followed (in either order) by departure_type (resignation, "
        "retirement, fixed_term_end, traineeship_end, dismissal or other) and cancelled (yes "
        "cancels the departure of that external_id). UTF-8, dates as yyyy-mm-dd. Exit code 0 "
        "when every row was registered (or unchanged), 1 when a row was rejected, 2 when "
        "nothing could be imported.",
    )
    csv_import.add_argument("file", type=Path)
    csv_import.add_argument(
        "--dry-run", action="store_true", help="check every row and report; write nothing"
    )
    csv_import.set_defaults(
        run=lambda a: _command("cli.departures:import_command")(a.file, dry_run=a.dry_run)
    )


def _add_privacy(commands: Subcommands) -> None:
    privacy = commands.add_parser("privacy", help="a person's data, on their request")
    actions = privacy.add_subparsers(dest="privacy_action", required=True)
    erase = actions.add_parser(
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
    erase.set_defaults(
        run=lambda a: _command("cli.privacy:erase_command")(a.person, dry_run=a.dry_run)
    )
    export = actions.add_parser(
        "export",
        help="write what the bot holds about a person as JSON",
        description="Exit code 0 when written, 1 when nothing is stored about the person, "
        "2 when the command could not run (the file must not exist yet).",
    )
    export.add_argument("--person", required=True, metavar="UPN")
    export.add_argument("file", type=Path, metavar="FILE.json")
    export.set_defaults(run=lambda a: _command("cli.privacy:export_command")(a.person, a.file))
    audit = commands.add_parser(
        "audit",
        help="who read or changed what about a departure, and when",
        description="One line per entry, oldest first, no message text. Exit code 1 for an "
        "unknown departure.",
    )
    audit.add_argument("--departure", required=True, metavar="ID")
    audit.set_defaults(run=lambda a: _command("cli.privacy:audit_command")(a.departure))


def _add_insights(commands: Subcommands) -> None:
    insights = commands.add_parser("insights", help="what HR learns across departures")
    actions = insights.add_subparsers(dest="insights_action", required=True)
    export = actions.add_parser(
        "export",
        help="write the insights figures (aggregates only) as CSV or Excel",
        description="The figures of the insights card for one whole period --from..--to (a "
        "quarter, half-year or year as organisation.yaml's insights.period says, once it is "
        "over) and the period before, for the organisation or one --unit. Figures for "
        "groups below the minimum (organisation.yaml, insights) are written as 'hidden'. "
        "Exit code 0 when written, 1 when it could not be, 2 for bad arguments.",
    )
    export.add_argument("--from", dest="first", required=True, metavar="YYYY-MM")
    export.add_argument("--to", dest="last", required=True, metavar="YYYY-MM")
    export.add_argument("--unit", metavar="ID")
    export.add_argument(
        "--language", choices=["da", "sv", "nb", "en"], default="en", help="for the labels"
    )
    export.add_argument("file", type=Path, metavar="FILE.csv|FILE.xlsx")
    export.set_defaults(
        run=lambda a: _command("cli.insights:export_command")(
            a.first, a.last, a.unit, a.file, a.language
        )
    )


def _add_package(commands: Subcommands) -> None:
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
    package.set_defaults(
        run=lambda a: _command("cli.package:package_command")(a.source, a.output, a.schema_dir)
    )


def _add_alumni(commands: Subcommands) -> None:
    alumni = commands.add_parser("alumni", help="leavers who consented to alumni contact")
    actions = alumni.add_subparsers(dest="alumni_action", required=True)
    export = actions.add_parser(
        "export",
        help="write the alumni list (consented entries only) as CSV",
        description="Columns: name,unit,private_email,consented_at. To --out (a new file) or "
        "standard output. Audited without the addresses. Exit code 0 when written, 2 when the "
        "command could not run.",
    )
    export.add_argument("--unit", metavar="ID")
    export.add_argument("--out", type=Path, metavar="FILE.csv")
    export.set_defaults(run=lambda a: _command("cli.alumni:export_command")(a.unit, a.out))
    withdraw = actions.add_parser(
        "withdraw",
        help="delete a person's consent, by their private e-mail",
        description="Exit code 0 when deleted, 1 when no entry has that e-mail.",
    )
    withdraw.add_argument("--email", required=True)
    withdraw.set_defaults(run=lambda a: _command("cli.alumni:withdraw_command")(a.email))


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("exitbot")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Every subcommand's parser by its words ("privacy erase"), nested ones too."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                words = f"{parser.prog.removeprefix('exitbot').strip()} {name}".strip()
                found[words] = sub
                found |= subcommands(sub)
    return found


def _describe(parser: argparse.ArgumentParser) -> None:
    """A subcommand without a description shows its one-line help at the top of its --help."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                sub, summary = action.choices[choice.dest], choice.help or ""
                summary = summary[:1].upper() + summary[1:]
                sub.description = f"{summary}. {sub.description}" if sub.description else summary
                _describe(sub)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: one small function per command group adds its subcommands."""
    parser = argparse.ArgumentParser(prog="exitbot", description="The exit conversation bot.")
    parser.add_argument("--version", action="version", version=f"exitbot {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    groups = (_add_service, _add_departures, _add_privacy, _add_insights, _add_alumni)
    for add in (*groups, _add_package):
        add(commands)
    _describe(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit code (a failure is one line on stderr, never a traceback)."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except Exception as exc:
        # A failure the operator can fix (a busy port, a database that refuses the login) is
        # one line naming the cause and the fix; anything else is a bug and keeps its traceback.
        failed = explained(exc)
        if failed is None:
            raise
        print(f"exitbot: {failed}", file=sys.stderr)
        return failed.code


if __name__ == "__main__":
    sys.exit(main())
