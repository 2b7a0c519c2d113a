"""What the load driver and the server processes agree on: probe routes, ready line, test user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# A server process prints this, a space and its base URL on stdout once it accepts requests.
READY = "LISTENING"

# Routes the bench adds next to the application under test; none of them runs during a batch.
CPU_PATH = "/_bench/cpu"
PROFILE_START_PATH = "/_bench/profile/start"
PROFILE_STOP_PATH = "/_bench/profile/stop"
SENT_PATH = "/_bench/sent"
# bench.flow: SQL statements so far (bench.statements), the cards posted to a conversation (the
# connector stand-in), a departure registered as HR's form would (the exitbot server).
SQL_PATH = "/_bench/sql"
CARDS_PATH = "/_bench/cards"
REGISTER_PATH = "/_bench/register"

TENANT = "11111111-2222-3333-4444-555555555555"
BOT_ID = "28:00000000-0000-0000-0000-00000000b07"
USER_ID = "29:bench-leaver"
AAD_OBJECT_ID = "aad-bench-leaver"
USER_NAME = "Lea Leaver"
USER_UPN = "leaver@contoso.example"
CONVERSATION_ID = "a:personal-bench-leaver"


@dataclass(frozen=True)
class TeamsUser:
    """Someone writing to the bot in a personal chat."""

    user_id: str
    aad_object_id: str
    name: str
    upn: str
    conversation_id: str

    def member(self) -> dict[str, Any]:
        """The member record the connector stand-in answers for them (GET members)."""
        return {
            "id": self.user_id,
            "name": self.name,
            "aadObjectId": self.aad_object_id,
            "userPrincipalName": self.upn,
        }


BENCH_USER = TeamsUser(USER_ID, AAD_OBJECT_ID, USER_NAME, USER_UPN, CONVERSATION_ID)


def member() -> dict[str, Any]:
    """The member record the connector stand-in answers for the bench user (GET members)."""
    return BENCH_USER.member()


def message_activity(
    activity_id: str, service_url: str, text: str, user: TeamsUser = BENCH_USER
) -> dict[str, Any]:
    """A message activity shaped like those Teams sends to a bot in a personal chat."""
    return {
        "type": "message",
        "id": activity_id,
        "timestamp": "2025-03-03T09:15:27.371Z",
        "localTimestamp": "2025-03-03T10:15:27.371+01:00",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "locale": "en-US",
        "textFormat": "plain",
        "text": text,
        "from": {"id": user.user_id, "name": user.name, "aadObjectId": user.aad_object_id},
        "recipient": {"id": BOT_ID, "name": "exitbot"},
        "conversation": {
            "id": user.conversation_id,
            "conversationType": "personal",
            "tenantId": TENANT,
        },
        "channelData": {"tenant": {"id": TENANT}},
        "entities": [
            {
                "type": "clientInfo",
                "locale": "en-US",
                "country": "US",
                "platform": "Web",
                "timezone": "Europe/Copenhagen",
            }
        ],
    }


def invoke_activity(
    activity_id: str, service_url: str, user: TeamsUser, verb: str, data: dict[str, Any]
) -> dict[str, Any]:
    """The invoke Teams sends when the user presses an Action.Execute button of a card."""
    activity = message_activity(activity_id, service_url, "", user)
    for key in ("text", "textFormat"):
        del activity[key]
    activity["type"] = "invoke"
    activity["name"] = "adaptiveCard/action"
    activity["value"] = {"action": {"type": "Action.Execute", "verb": verb, "data": data}}
    return activity
