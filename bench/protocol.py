"""What the load driver and the server processes agree on: probe routes, ready line, test user."""

from __future__ import annotations

from typing import Any

# A server process prints this, a space and its base URL on stdout once it accepts requests.
READY = "LISTENING"

# Routes the bench adds next to the application under test; none of them runs during a batch.
CPU_PATH = "/_bench/cpu"
PROFILE_START_PATH = "/_bench/profile/start"
PROFILE_STOP_PATH = "/_bench/profile/stop"
SENT_PATH = "/_bench/sent"

TENANT = "11111111-2222-3333-4444-555555555555"
BOT_ID = "28:00000000-0000-0000-0000-00000000b07"
USER_ID = "29:bench-leaver"
AAD_OBJECT_ID = "aad-bench-leaver"
USER_NAME = "Lea Leaver"
USER_UPN = "leaver@contoso.example"
CONVERSATION_ID = "a:personal-bench-leaver"


def member() -> dict[str, Any]:
    """The member record the connector stand-in answers for the bench user (GET members)."""
    return {
        "id": USER_ID,
        "name": USER_NAME,
        "aadObjectId": AAD_OBJECT_ID,
        "userPrincipalName": USER_UPN,
    }


def message_activity(activity_id: str, service_url: str, text: str) -> dict[str, Any]:
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
        "from": {"id": USER_ID, "name": USER_NAME, "aadObjectId": AAD_OBJECT_ID},
        "recipient": {"id": BOT_ID, "name": "exitbot"},
        "conversation": {"id": CONVERSATION_ID, "conversationType": "personal", "tenantId": TENANT},
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
