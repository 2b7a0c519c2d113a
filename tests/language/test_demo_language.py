"""Local mode plays in the language it is given (EXITBOT_DEMO_LOCALE stands in for the Teams
locale, since Agents Playground always sends en-US), and the `language` command still comes
first, as in Teams."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.app import create_app
from config.loader import default_config_dir, load_config
from testkit.standins.connector import ConnectorStandIn
from testkit.standins.serve import serve
from tests.helpers.service import make_activity

USER = {"id": "29:leaver", "name": "Hanne", "userPrincipalName": "hr@contoso.example"}


async def test_the_demo_locale_then_the_language_chosen_in_the_chat(settings_for: Any) -> None:
    connector, config = ConnectorStandIn(), load_config(default_config_dir())
    connector.members[USER["id"]] = USER
    settings = settings_for(EXITBOT_LOCAL_MODE=True, EXITBOT_DEMO_LOCALE="sv-SE")
    async with (
        serve(connector.app()) as connector.url,
        serve(create_app(settings)) as url,
        aiohttp.ClientSession() as http,
    ):

        async def post(**fields: Any) -> Any:
            activity = make_activity(connector.url, locale="en-US", **fields)
            async with http.post(f"{url}/api/messages", json=activity) as response:
                assert response.status == 200
                return await response.json() if fields.get("type") == "invoke" else None

        await post(text="help")
        assert connector.cards()[-1]["lang"] == "sv"  # the demo's locale, not en-US
        value = {"action": {"type": "Action.Execute", "verb": "language.choose"}}
        value["action"]["data"] = {"language": "nb"}
        answer = await post(type="invoke", name="adaptiveCard/action", value=value)
        assert answer["value"]["lang"] == "nb"
        assert config.text("language.saved", "nb") in str(answer["value"])
        await post(text="help")
        help_card = connector.cards()[-1]
        assert help_card["lang"] == "nb"
        assert help_card["body"][0]["text"] == config.text("help.title", "nb")
