"""`exitbot --version`, and every subcommand says what it does at the top of its --help."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from cli.main import build_parser, subcommands
from tests.cli.helpers import REPO, command_env, run_exitbot


async def test_version_names_the_installed_release() -> None:
    code, out, err = await run_exitbot("--version", env=command_env(), cwd=REPO)
    assert (code, err) == (0, "")
    assert out.strip() == f"exitbot {version('exitbot')}"


def test_every_subcommand_has_a_description() -> None:
    found = subcommands(build_parser())
    assert {"serve", "demo", "privacy erase", "insights export", "package"} <= found.keys()
    for words, parser in found.items():
        assert (parser.description or "").strip(), f"exitbot {words} --help says nothing"


@pytest.mark.parametrize("words", ["serve", "privacy export"])
def test_the_description_starts_with_what_the_command_does(
    words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([*words.split(), "--help"])
    shown = capsys.readouterr().out
    expected = {"serve": "Run the bot service", "privacy export": "Write what the bot holds"}
    assert expected[words] in shown
