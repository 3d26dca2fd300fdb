"""GET /metrics: off without a token, Bearer-protected, and the counters an operator watches move
when a customer writes, the bot answers and the ticks come back."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from prometheus_client.parser import text_string_to_metric_families

from finnegans.config import Settings
from tests.conftest import make_settings
from tests.integration.flows.flow_helpers import open_chat, settle, text_of
from tests.integration.whatsapp.webhook_helpers import (
    connect_number,
    drain,
    fixture,
    post_signed,
    retarget,
    uniquify,
)

TOKEN = "metrics-test-token-1234567890"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HELLO_FLOW = {
    "nodes": [
        {"id": "t", "type": "trigger", "position": {}, "data": {"keywords": ["hola"]}},
        {"id": "m", "type": "message", "position": {}, "data": {"text": "¡Hola!"}},
        {"id": "e", "type": "end", "position": {}, "data": {}},
    ],
    "edges": [
        {"id": "e1", "source": "t", "target": "m"},
        {"id": "e2", "source": "m", "target": "e"},
    ],
}


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, metrics_token=TOKEN)


async def scrape(client: AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    r = await client.get("/metrics", headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(r.text)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
          **labels: str) -> float:  # fmt: skip
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_need_the_token(client: AsyncClient) -> None:
    assert (await client.get("/metrics")).status_code == 401
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "METRICS_TOKEN" in wrong.json()["error"]
    assert (await client.get("/metrics", headers=AUTH)).status_code == 200


async def test_a_conversation_moves_the_counters(client: AsyncClient, app: FastAPI) -> None:
    before = await scrape(client)
    chat = await open_chat(app, client)
    await chat.create_flow(HELLO_FLOW)
    await chat.say("hola")
    await settle(app)
    assert [text_of(m) for m in chat.new_messages()] == ["¡Hola!"]
    await client.get("/api/contacts/does-not-exist", headers=chat.owner.auth)
    after = await scrape(client)

    def grew(name: str, by: float = 1, **labels: str) -> bool:
        return value(after, name, **labels) - value(before, name, **labels) >= by

    # The customer's message and the three status webhooks of the reply.
    assert grew("finnegans_webhook_events_received_total", 4, outcome="stored")
    assert grew("finnegans_webhook_events_processed_total", 4, result="processed")
    assert grew("finnegans_webhook_processing_lag_seconds_count", 4)
    assert grew("finnegans_messages_total", direction="inbound", status="received")
    for status in ("sent", "delivered", "read"):
        assert grew("finnegans_messages_total", direction="outbound", status=status), status
    assert grew("finnegans_graph_request_duration_seconds_count", operation="send", outcome="ok")
    assert grew("finnegans_flow_executions_total", outcome="completed")
    # HTTP metrics use the route template, not the raw path.
    assert grew("finnegans_http_requests_total", method="GET", route="/api/contacts/{contact_id}",
                status="404")  # fmt: skip
    assert grew("finnegans_http_requests_total", method="POST", route="/webhook", status="200")


async def test_duplicates_and_refused_webhooks_are_counted(
    client: AsyncClient, app: FastAPI
) -> None:
    number = await connect_number(client)
    body = uniquify(retarget(fixture("inbound_text.json"), number), "metrics")
    before = await scrape(client)
    for _ in range(2):
        assert (await post_signed(client, body)).status_code == 200
    assert (await post_signed(client, body, secret="not-the-secret")).status_code == 401
    await drain(app)
    after = await scrape(client)
    assert (
        value(after, "finnegans_webhook_duplicates_total", kind="message")
        - value(before, "finnegans_webhook_duplicates_total", kind="message")
        == 1
    )
    assert (
        value(after, "finnegans_webhook_events_received_total", outcome="bad_signature")
        - value(before, "finnegans_webhook_events_received_total", outcome="bad_signature")
        == 1
    )


async def test_metrics_are_off_without_a_token(tmp_path: Path, database_url: str) -> None:
    from asgi_lifespan import LifespanManager
    from httpx import ASGITransport

    from finnegans.main import create_app

    app = create_app(make_settings(database_url, tmp_path))
    async with (
        LifespanManager(app, startup_timeout=30, shutdown_timeout=30),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as client,
    ):
        r = await client.get("/metrics", headers=AUTH)
    assert r.status_code == 404
    assert "METRICS_TOKEN" in r.json()["error"]
