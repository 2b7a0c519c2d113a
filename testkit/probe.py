"""A probe that looks into the stand-in's chats (Teams offers bots no such look)."""

from __future__ import annotations

import aiohttp

from journey.ports import ConversationRef
from outbox.hooks import Probe, ProbeAnswer


def standin_probe(session: aiohttp.ClientSession, standin_url: str) -> Probe:
    """Asks the connector stand-in at `standin_url` whether a marker was delivered."""

    async def probe(ref: ConversationRef, marker: str) -> ProbeAnswer | None:
        async with session.get(f"{standin_url}/_standin/markers/{marker}") as response:
            if response.status != 200:
                return None
            found = await response.json()
        return ProbeAnswer(delivered=found["delivered"], activity_id=found["activityId"])

    return probe
