"""`patterns.on_task_card`: on unless HR's YAML turns it off, per unit or for every unit; a
wrong value is reported with its file and line; a unit turned off shows no patterns."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.typedefs import DATABASE
from config.loader import default_config_dir, load_config
from storage.migrate import upgrade
from testkit.insights_seed import seed
from tests.config.builder import write_config
from tests.config.test_mistakes import org, problems_in, units
from tests.helpers.journey import LiveApp
from tests.helpers.live_service import live_service
from tests.patterns.cards import part_of
from tests.patterns.helpers import earlier_leavers
from tests.patterns.test_task_card import task_for_partner


def test_on_unless_a_unit_turns_it_off(tmp_path: Path) -> None:
    files = units(
        "      sections: [about]\n",
        "      sections: [about]\n    patterns:\n      on_task_card: false\n",
    )
    config = load_config(write_config(tmp_path, files))
    assert config.unit("roads").patterns.on_task_card is False
    assert config.unit("care").patterns.on_task_card is True
    assert config.unit(None).patterns.on_task_card is True


def test_off_for_every_unit_in_the_defaults(tmp_path: Path) -> None:
    files = org(
        "    question_set: basic\n",
        "    question_set: basic\n  patterns:\n    on_task_card: false\n",
    )
    config = load_config(write_config(tmp_path, files))
    assert not any(config.unit(u).patterns.on_task_card for u in ("care", "roads", None))


def test_a_wrong_setting_is_reported_with_file_and_line(tmp_path: Path) -> None:
    files = units(
        "      sections: [about]\n",
        "      sections: [about]\n    patterns:\n      on_task_card: [yes]\n      show: true\n",
    )
    problems = problems_in(tmp_path, files)
    assert problems == [
        "units.yaml:12:7: units[1].patterns.on_task_card: input should be a valid boolean "
        "(got a list)",
        "units.yaml:13:7: units[1].patterns.show: unknown key 'show'; allowed here: on_task_card",
    ]


@pytest.fixture
async def unit_turned_off(tmp_path: Path) -> AsyncIterator[LiveApp]:
    config_dir = tmp_path / "config"
    shutil.copytree(default_config_dir(), config_dir)
    units_file = config_dir / "units.yaml"
    text = units_file.read_text(encoding="utf-8")
    anchor = "    conversation:\n      # The union representative is part of the pool"
    assert text.count(anchor) == 1  # social care's
    turned_off = "    patterns:\n      on_task_card: false\n" + anchor
    units_file.write_text(text.replace(anchor, turned_off), encoding="utf-8")
    assert load_config(config_dir).unit("social-care").patterns.on_task_card is False
    url = f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"
    await upgrade(url)
    async with live_service(url, settings={"EXITBOT_CONFIG_DIR": str(config_dir)}) as app:
        yield app


async def test_a_unit_turned_off_shows_no_patterns(unit_turned_off: LiveApp) -> None:
    app = unit_turned_off
    await seed(app.app[DATABASE], earlier_leavers())
    _, task = await task_for_partner(app)
    assert "Sofie Andersen" in str(task)  # the task card in full, for the interviewer
    assert part_of(task, app.config) is None
