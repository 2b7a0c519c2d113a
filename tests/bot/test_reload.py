"""HR's YAML reloaded on SIGHUP in the running service; a broken version keeps the last good one."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import threading
from pathlib import Path

import pytest

from bot.reload import Reloader
from config.loader import default_config_dir
from testkit.waiting import PATIENCE, wait_until
from tests.helpers.journey import LEAVER, LiveApp, cards_of, texts_of

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP here")

NEW_HELP_TITLE = "Her er, hvad jeg kan hjælpe dig med"
NEW_OFFER_TITLE = "Har du lyst til en samtale, før du stopper?"


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A copy of the default configuration that the test may change under the service."""
    target = tmp_path / "hr-config"
    shutil.copytree(default_config_dir(), target)
    return target


@pytest.fixture
def journey_settings(config_dir: Path) -> dict[str, str]:
    return {"EXITBOT_CONFIG_DIR": str(config_dir)}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _hang_up() -> None:
    """SIGHUP to this process, as `kill -HUP <pid>` does to the service."""
    # Without the service's handler the default action would end the test run.
    assert signal.getsignal(signal.SIGHUP) not in (signal.SIG_DFL, signal.SIG_IGN, None)
    os.kill(os.getpid(), signal.SIGHUP)


async def _version(app: LiveApp) -> str:
    async with app.http.get(f"{app.url}/healthz") as response:
        return (await response.json())["config_version"]


async def _help_title(app: LiveApp) -> str:
    """What the leaver reads at the top of the help card, asking in Danish now."""
    await app.say(LEAVER, "hjælp", locale="da-DK")
    [card] = cards_of(app.sent_to(LEAVER)[-1])
    return texts_of(card).splitlines()[0]


async def test_sighup_reloads_hr_yaml_and_a_broken_version_keeps_the_last_good(
    app: LiveApp, config_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await app.say(LEAVER, "hej", locale="da-DK")  # welcomed; the bot can reach her later
    assert await _help_title(app) == app.text("help.title", "da")
    started = await _version(app)

    texts = config_dir / "texts" / "da.yaml"
    for key, new in (("help.title", NEW_HELP_TITLE), ("offer.title", NEW_OFFER_TITLE)):
        _edit(texts, f'{key}: "{app.text(key, "da")}"', f'{key}: "{new}"')
    _hang_up()

    async def reloaded() -> bool:
        return await _version(app) != started

    await wait_until(reloaded, what="/healthz shows the reloaded configuration")
    # The next turn and the next proactive message speak the new version.
    assert await _help_title(app) == NEW_HELP_TITLE
    await app.register(locale="da")
    await app.card_for(LEAVER, NEW_OFFER_TITLE)
    good = await _version(app)

    caplog.set_level(logging.INFO)
    organisation = config_dir / "organisation.yaml"
    lines = organisation.read_text(encoding="utf-8").splitlines()
    line = 1 + next(n for n, text in enumerate(lines) if text.startswith("    minutes: 60 "))
    _edit(organisation, "    minutes: 60 ", "    minutes: 5 ")
    _hang_up()

    def logged() -> list[str]:
        lines = (record.getMessage() for record in caplog.records)
        return [text for text in lines if f"organisation.yaml:{line}:" in text]

    await wait_until(lambda: bool(logged()), what="the refused reload names the file and line")
    [problem] = logged()
    assert problem.startswith(f"{organisation}:{line}:14: ")
    assert "defaults.conversation.minutes" in problem
    assert await _version(app) == good
    assert await _help_title(app) == NEW_HELP_TITLE


class SlowHolder:
    """A configuration holder whose reload waits until the test lets it finish."""

    def __init__(self) -> None:
        self.reloads = 0
        self.release = threading.Event()

    def reload(self) -> list[str]:
        self.reloads += 1
        self.release.wait(PATIENCE)
        return []


async def test_hangups_during_a_reload_bring_one_more_reload() -> None:
    holder = SlowHolder()
    reloader = Reloader(holder)  # type: ignore[arg-type]
    reloader.hangup()
    await wait_until(lambda: holder.reloads == 1, what="the first reload started")
    reloader.hangup()  # the files may have changed after the running reload read them
    reloader.hangup()
    holder.release.set()
    await reloader.finish()
    assert holder.reloads == 2
