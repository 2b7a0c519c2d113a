"""HR named only by an Entra ID group: its members get the register form, others do not."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from ruamel.yaml import YAML

from bot.app import create_app
from config.loader import default_config_dir, load_config
from testkit.standins.connector import ConnectorStandIn
from testkit.standins.serve import serve
from testkit.standins.tokens import TokenIssuer
from tests.cards.validator import assert_valid_card
from tests.helpers.service import Running, StaticToken, make_activity
from tests.registration.helpers import DEMO_PEOPLE

HR_GROUP = "8d1f4c2a-5b6e-4f70-9a81-2c3d4e5f6a7b"
HANNE_ID = "00000000-0000-0000-0000-0000000000022"  # her object id in config/demo/people.yaml
HANNE = {"user_id": "29:hr", "aad_object_id": HANNE_ID, "conversation_id": "a:personal-hr"}
SOFIE = {"user_id": "29:leaver", "aad_object_id": "aad-leaver"}


def _group_only_config(tmp_path: Path) -> Path:
    """The default configuration with HR as a group and no list."""
    target = tmp_path / "config"
    shutil.copytree(default_config_dir(), target)
    yaml = YAML()
    organisation = yaml.load((target / "organisation.yaml").read_text(encoding="utf-8"))
    organisation["hr"] = {"entra_group_id": HR_GROUP}
    with (target / "organisation.yaml").open("w", encoding="utf-8") as out:
        yaml.dump(organisation, out)
    return target


def _people_with_hanne_in_the_group(tmp_path: Path) -> Path:
    yaml = YAML()
    people = yaml.load(DEMO_PEOPLE.read_text(encoding="utf-8"))
    for person in people["people"]:
        if person["upn"] == "hr@contoso.example":
            person["groups"] = [HR_GROUP]
    path = tmp_path / "people.yaml"
    with path.open("w", encoding="utf-8") as out:
        yaml.dump(people, out)
    return path


@pytest.fixture
async def group_running(
    tmp_path: Path,
    settings_for,
) -> AsyncIterator[Running]:
    config_dir = _group_only_config(tmp_path)
    connector, issuer = ConnectorStandIn(), TokenIssuer()
    connector.members["29:hr"] = {
        "id": "29:hr",
        "name": "Hanne Rasmussen",
        "aadObjectId": HANNE_ID,
        "userPrincipalName": "hr@contoso.example",
    }
    connector.members["29:leaver"] = {
        "id": "29:leaver",
        "name": "Sofie Andersen",
        "aadObjectId": "aad-leaver",
        "userPrincipalName": "leaver@contoso.example",
    }
    async with serve(connector.app()) as connector.url, serve(issuer.app()) as issuer.url:
        settings = settings_for(
            TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=issuer.metadata_url,
            EXITBOT_CONFIG_DIR=str(config_dir),
            EXITBOT_PEOPLE_FILE=str(_people_with_hanne_in_the_group(tmp_path)),
        )
        app = create_app(settings, bot_tokens=StaticToken())
        async with serve(app) as url, aiohttp.ClientSession() as http:
            yield Running(url, connector, issuer, http, load_config(config_dir))


async def test_a_group_member_gets_the_form_and_others_are_refused(
    group_running: Running,
) -> None:
    running = group_running
    response = await running.post(
        make_activity(running.connector.url, text="registrer", locale="da-DK", **HANNE)
    )
    assert response.status == 200
    form = running.connector.cards()[-1]
    assert_valid_card(form)
    assert form["actions"][0]["verb"] == "register.submit"

    # Sofie is not in the group: after her welcome, `register` gets her no form.
    await running.post(make_activity(running.connector.url, text="hi", **SOFIE))
    cards_before = len(running.connector.cards())
    response = await running.post(
        make_activity(running.connector.url, text="register", locale="en-US", **SOFIE)
    )
    assert response.status == 200
    assert len(running.connector.cards()) == cards_before  # no form for her
    refusal = running.connector.sent[-1]
    assert refusal["text"] == running.config.text("error.not_allowed", "en")
