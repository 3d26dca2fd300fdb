"""GET /api/overview: every KPI and series value from seeded rows with known dates and statuses."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from finnegans.kit.clock import travel, utcnow
from tests.helpers import User, join_as, register
from tests.integration.metrics.seed import Seeder, days_ago, local, today_in

ZONE = "America/Bogota"  # UTC-5 all year: local midnight is 05:00 UTC


async def overview(client: AsyncClient, user: User, **params: Any) -> dict[str, Any]:
    r = await client.get("/api/overview", headers=user.auth, params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def seed_workspace(app: FastAPI, owner: User) -> None:
    s = Seeder(owner.workspace_id)
    s.contact("Ana", "+573001110001", created_at=days_ago(ZONE, 1))
    s.contact("Beto", "+573001110002", created_at=days_ago(ZONE, 6, 0, 0, 1))
    s.contact("Carla", "+573001110003", created_at=days_ago(ZONE, 7, 23, 59, 59))  # before
    s.conversation(s.contacts[0], "open")
    s.conversation(s.contacts[1], "open")
    s.conversation(s.contacts[2], "resolved")
    # Outbound today, by furthest status: 2 sent, 3 delivered, 4 read, 1 failed, 1 pending.
    for status, n in {"sent": 2, "delivered": 3, "read": 4, "failed": 1, "pending": 1}.items():
        for _ in range(n):
            s.message("outbound", days_ago(ZONE, 0, 9), status)
    # Day boundaries in the workspace zone: 23:59:59 yesterday and 00:00:00 today (local).
    s.message("inbound", days_ago(ZONE, 1, 23, 59, 59))
    s.message("inbound", days_ago(ZONE, 0, 0, 0, 0))
    s.message("inbound", days_ago(ZONE, 0, 0, 0, 0))
    s.message("inbound", days_ago(ZONE, 6, 0, 0, 0))  # the period's first instant
    s.message("inbound", days_ago(ZONE, 7, 23, 59, 59))  # one second before the period
    s.message("outbound", days_ago(ZONE, 20), "read")  # outside 7 and 14 days, inside 30

    welcome = s.flow("Welcome", [("start", "Hello"), ("ask", "Ask name"), ("bye", "Goodbye")])
    survey = s.flow("Survey", [("q1", "Question 1")])
    s.flow("Never used")
    for _ in range(3):
        s.session(welcome, "completed", days_ago(ZONE, 2), ["start", "ask", "bye"])
    s.session(welcome, "waiting_input", days_ago(ZONE, 2), ["start", "ask"])
    s.session(welcome, "completed", days_ago(ZONE, 10), ["start", "ask", "bye"])  # before
    s.session(survey, "errored", days_ago(ZONE, 3), ["q1"])
    await s.flush(app.state.ctx.db, timezone=ZONE)


async def test_every_kpi_and_series_value(app: FastAPI, client: AsyncClient) -> None:
    owner = await register(client)
    await seed_workspace(app, owner)

    body = await overview(client, owner, days=7)

    today = today_in(ZONE)
    assert body["timezone"] == ZONE
    assert body["start"] == str(today - timedelta(days=6))
    assert body["end"] == str(today)
    assert body["kpis"] == {
        "contacts_total": 3,
        "contacts_new": 2,
        "conversations_open": 2,
        "messages_sent": 11,
        "messages_received": 4,
        "delivery_rate": 0.7,  # delivered 7 of sent-or-failed 10 (pending excluded)
        "read_rate": 0.5714,  # read 4 of delivered 7
        "flow_sessions_started": 5,
        "flow_sessions_completed": 3,
        "flow_completion_rate": 0.6,
    }
    assert body["funnel"] == {"sent": 9, "delivered": 7, "read": 4, "failed": 1, "pending": 1}

    days = {d["date"]: (d["sent"], d["received"]) for d in body["messages_per_day"]}
    assert list(days) == [str(today - timedelta(days=i)) for i in range(6, -1, -1)]
    assert days[str(today)] == (11, 2)
    assert days[str(today - timedelta(days=1))] == (0, 1)
    assert days[str(today - timedelta(days=6))] == (0, 1)
    assert sum(r for _, r in days.values()) == 4
    seeded = {str(today - timedelta(days=i)) for i in (0, 1, 6)}
    assert [v for k, v in days.items() if k not in seeded] == [(0, 0)] * 4

    assert body["top_flows"] == [
        {
            "id": body["top_flows"][0]["id"],
            "name": "Welcome",
            "started": 4,
            "completed": 3,
            "completion_rate": 0.75,
        },
        {
            "id": body["top_flows"][1]["id"],
            "name": "Survey",
            "started": 1,
            "completed": 0,
            "completion_rate": 0.0,
        },
    ]
    drop = body["drop_off"]
    assert drop["flow_name"] == "Welcome"
    assert drop["sessions"] == 5  # the flows analytics count every session, all time
    assert [(n["node_id"], n["label"], n["reached"], n["stopped"]) for n in drop["nodes"]] == [
        ("start", "Hello", 5, 0),
        ("ask", "Ask name", 5, 1),
        ("bye", "Goodbye", 4, 4),
    ]


async def test_longer_periods_include_older_rows(app: FastAPI, client: AsyncClient) -> None:
    owner = await register(client)
    await seed_workspace(app, owner)

    week2 = await overview(client, owner, days=14)
    assert len(week2["messages_per_day"]) == 14
    assert week2["kpis"]["messages_received"] == 5  # the one just before the 7-day period
    assert week2["kpis"]["messages_sent"] == 11
    assert week2["kpis"]["contacts_new"] == 3
    assert week2["kpis"]["flow_sessions_started"] == 6
    assert week2["top_flows"][0]["completed"] == 4

    month = await overview(client, owner, days=30)
    assert month["kpis"]["messages_sent"] == 12
    assert month["funnel"]["read"] == 5
    quarter = await overview(client, owner, days=90)
    assert len(quarter["messages_per_day"]) == 90


async def test_utc_without_workspace_zone_and_empty_workspace(client: AsyncClient) -> None:
    owner = await register(client)
    body = await overview(client, owner)
    assert body["days"] == 7
    assert body["timezone"] == "UTC"
    assert body["kpis"]["contacts_total"] == 0
    assert body["kpis"]["delivery_rate"] is None
    assert body["kpis"]["read_rate"] is None
    assert body["kpis"]["flow_completion_rate"] is None
    assert [d["sent"] + d["received"] for d in body["messages_per_day"]] == [0] * 7
    assert body["top_flows"] == []
    assert body["drop_off"] is None


async def test_utc_buckets_when_the_zone_is_utc(app: FastAPI, client: AsyncClient) -> None:
    owner = await register(client)
    s = Seeder(owner.workspace_id)
    s.contact("Ana", "+573001110001")
    s.message("inbound", days_ago("UTC", 1, 23, 59, 59))
    s.message("inbound", days_ago("UTC", 0, 0, 0, 0))
    await s.flush(app.state.ctx.db)
    body = await overview(client, owner)
    assert [d["received"] for d in body["messages_per_day"]][-2:] == [1, 1]


@pytest.mark.parametrize("days", ["8", "0", "-7", "abc", "365", ""])
async def test_period_must_be_7_14_30_or_90(client: AsyncClient, days: str) -> None:
    owner = await register(client)
    r = await client.get("/api/overview", headers=owner.auth, params={"days": days})
    assert r.status_code in (400, 422), r.text
    assert "days" in r.text
    assert "error" in r.json()


async def test_other_workspaces_never_counted(app: FastAPI, client: AsyncClient) -> None:
    owner = await register(client)
    await seed_workspace(app, owner)
    other = await register(client)

    body = await overview(client, other)
    assert body["kpis"]["contacts_total"] == 0
    assert body["kpis"]["messages_sent"] == 0
    assert body["kpis"]["conversations_open"] == 0
    assert body["funnel"] == {"sent": 0, "delivered": 0, "read": 0, "failed": 0, "pending": 0}
    assert body["top_flows"] == []

    mine = await overview(client, owner)
    flow_id = mine["top_flows"][0]["id"]
    r = await client.get("/api/overview", headers=other.auth, params={"flow_id": flow_id})
    assert r.status_code == 404, r.text


async def test_drop_off_for_a_chosen_flow_and_any_member_reads(
    app: FastAPI, client: AsyncClient, client_factory: Any
) -> None:
    owner = await register(client)
    await seed_workspace(app, owner)
    agent = await join_as(client, owner, "agent")
    survey = (await overview(client, owner))["top_flows"][1]["id"]

    body = await overview(client, agent, flow_id=survey)
    assert body["drop_off"]["flow_name"] == "Survey"
    assert [(n["node_id"], n["reached"], n["stopped"]) for n in body["drop_off"]["nodes"]] == [
        ("q1", 1, 1)
    ]
    r = await client_factory().get("/api/overview", params={"days": 7})  # no cookies

    assert r.status_code == 401


async def test_days_follow_the_zone_across_a_dst_change(app: FastAPI, client: AsyncClient) -> None:
    """New York moves from UTC-5 to UTC-4 at 02:00 on 8 March 2026: local days stay local."""
    owner = await register(client)
    s = Seeder(owner.workspace_id)
    s.contact("Ana", "+12125550100")
    ny = "America/New_York"
    for day, hh, mm in [(7, 23, 30), (8, 0, 30), (8, 23, 30), (9, 0, 30), (9, 23, 59)]:
        s.message("inbound", local(ny, date(2026, 3, day), hh, mm))
    await s.flush(app.state.ctx.db, timezone=ny)

    now = local(ny, date(2026, 3, 10), 12)
    with travel(now - utcnow()):
        body = await overview(client, owner)
    days = {d["date"]: d["received"] for d in body["messages_per_day"]}
    assert body["end"] == "2026-03-10"
    assert [days[f"2026-03-{d:02d}"] for d in (6, 7, 8, 9, 10)] == [0, 1, 2, 2, 0]


async def test_half_hour_zones_bucket_by_local_midnight(app: FastAPI, client: AsyncClient) -> None:
    """India is UTC+05:30: local midnight is 18:30 UTC, not on an hour."""
    owner = await register(client)
    s = Seeder(owner.workspace_id)
    s.contact("Ana", "+919800000001")
    zone = "Asia/Kolkata"
    s.message("inbound", days_ago(zone, 1, 23, 59, 59))
    s.message("inbound", days_ago(zone, 0, 0, 0, 0))
    s.message("inbound", days_ago(zone, 0, 0, 29, 0))
    await s.flush(app.state.ctx.db, timezone=zone)
    body = await overview(client, owner)
    assert [d["received"] for d in body["messages_per_day"]][-2:] == [1, 2]
