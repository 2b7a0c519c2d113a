"""The delivery marker: each activity carries its action's, so a copy in a chat is matched."""

from __future__ import annotations

from typing import Any

MARKER_FIELD = "exitbotDelivery"


def marked(activity: dict[str, Any], marker: str) -> dict[str, Any]:
    """A copy of `activity` (a message by default) carrying `marker` in its channelData."""
    copy = dict(activity)
    copy.setdefault("type", "message")
    channel_data = dict(copy.get("channelData") or {})
    channel_data[MARKER_FIELD] = marker
    copy["channelData"] = channel_data
    return copy
