"""Telemetry as deployed: `exitbot serve` with APPLICATIONINSIGHTS_CONNECTION_STRING sends its
spans and metrics through the Azure Monitor distro to the ingestion endpoint the string names
(here a stand-in on loopback that keeps what it is sent), and none of them names a person."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from testkit.standins.connector import ConnectorStandIn
from testkit.standins.serve import serve
from testkit.waiting import wait_until
from tests.cli.serve_process import running

TYPED = "mine hemmelige ord om chefen"


@dataclass
class Ingestion:
    """Application Insights' ingestion endpoint: keeps every telemetry item posted to /track."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._track)
        return app

    async def _track(self, request: web.Request) -> web.Response:
        body = await request.read()
        if request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        posted = json.loads(body)
        items = posted if isinstance(posted, list) else [posted]
        self.items += items
        return web.json_response(
            {"itemsReceived": len(items), "itemsAccepted": len(items), "errors": []}
        )

    def names(self, base_type: str) -> set[str]:
        """The names of the requests (RequestData) or metrics (MetricData) received."""
        found = set()
        for item in self.items:
            data = item.get("data", {})
            if data.get("baseType") != base_type:
                continue
            base = data.get("baseData", {})
            found.add(base.get("name", ""))
            found |= {metric.get("name", "") for metric in base.get("metrics", [])}
        return found


async def test_serve_exports_turn_spans_and_metrics_to_application_insights(
    tmp_path: Path,
) -> None:
    ingestion, connector = Ingestion(), ConnectorStandIn()
    async with serve(ingestion.app()) as ingestion_url, serve(connector.app()) as connector.url:
        connection = (
            "InstrumentationKey=00000000-0000-0000-0000-000000000000;"
            f"IngestionEndpoint={ingestion_url}/"
        )
        settings = {
            "APPLICATIONINSIGHTS_CONNECTION_STRING": connection,
            "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL": "true",  # no call to Microsoft
            "OTEL_BSP_SCHEDULE_DELAY": "100",  # ms: spans go out at once
            "OTEL_METRIC_EXPORT_INTERVAL": "500",  # ms
            # Every span, not the distro's default of at most 5 traces a second (which may drop
            # the first turns while its rate estimate settles).
            "OTEL_TRACES_SAMPLER": "microsoft.fixed_percentage",
            "OTEL_TRACES_SAMPLER_ARG": "1.0",
        }
        async with running(tmp_path, **settings) as service:
            await service.say(connector.url, "hjælp", locale="da-DK")
            await service.say(connector.url, TYPED, locale="da-DK")

            def exported() -> bool:
                requests, metrics = ingestion.names("RequestData"), ingestion.names("MetricData")
                return {"turn help", "turn unrecognised"} <= requests and "exitbot.turns" in metrics

            await wait_until(exported, what="the turns' spans and counts reach the endpoint")
    sent = json.dumps(ingestion.items, ensure_ascii=False).lower()
    member = "lea leaver"  # the name make_activity gives the sender
    for personal in (TYPED, member, "aad-leaver", "29:leaver", "a:personal-leaver"):
        assert personal.lower() not in sent, personal
