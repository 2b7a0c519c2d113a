"""What the delivery worker calls out to: probe a chat, open one, render, report an outcome."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from journey.due import DueAction
from journey.ports import ConversationRef


@dataclass(frozen=True)
class ProbeAnswer:
    """What a look into the chat found for one marker."""

    delivered: bool
    activity_id: str | None = None


# (recipient's conversation, marker) -> found or not; None when the chat cannot be read.
Probe = Callable[[ConversationRef, str], Awaitable[ProbeAnswer | None]]
# Opens the chat with a person who never chatted with the bot (outbox.reach installs the app
# for them); returns the new conversation, or None if that is not possible.
OpenConversation = Callable[[str], Awaitable[ConversationRef | None]]
# Builds the activity when the payload is a reference rather than the activity itself.
Render = Callable[[DueAction, ConversationRef], Awaitable[dict[str, Any]]]
# Told each final outcome (sent, or failed with no retry to follow), with the settled action
# and, for one sent, the chat it went to (None when not known).
Settled = Callable[[DueAction, ConversationRef | None], Awaitable[None]]


async def default_render(action: DueAction, ref: ConversationRef) -> dict[str, Any]:
    """The payload is the activity itself."""
    return dict(action.payload)
