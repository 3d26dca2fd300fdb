"""The sender against Meta's misbehaviour (the emulator's faults): errors by class, an expired
token that pauses the broadcast, pause/resume/cancel, and statuses that arrive late,
duplicated or out of order."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from finnegans.kit.clock import travel
from tests.integration.broadcasts.broadcast_helpers import HELLO, Workspace, workspace
from tests.integration.flows.flow_helpers import settle


async def _launch(ws: Workspace, **audience: object) -> str:
    created = await ws.create(audience=audience or {"kind": "everyone"}, content=HELLO,
                              launch=True)  # fmt: skip
    return str(created["id"])


async def _wait_sent(ws: Workspace, count: int, timeout: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while len(ws.outbound()) < count:
        assert asyncio.get_running_loop().time() < deadline, len(ws.outbound())
        await asyncio.sleep(0.02)


def _once_each(ws: Workspace) -> Counter[str]:
    return Counter(str(m.wa_id) for m in ws.outbound())


@pytest.mark.parametrize(
    "fault",
    [{"status_out_of_order": True}, {"status_duplicates": 3}, {"status_skip_delivered": True}],
)
async def test_late_duplicated_and_out_of_order_statuses_keep_the_counts_right(
    client: AsyncClient, app: FastAPI, fault: dict[str, object]
) -> None:
    ws = await workspace(app, client)
    for key, value in fault.items():
        setattr(ws.emulator.faults, key, value)
    await ws.contacts(6)
    done = await ws.wait(await _launch(ws))
    assert done["status"] == "completed"
    assert done["counts"]["read"] == 6, done["counts"]
    delivered = 0 if fault.get("status_skip_delivered") else 6
    assert done["funnel"] == {"sent": 6, "delivered": 6, "read": 6, "replied": 0, "failed": 0}
    rows = await ws.recipients(done["id"])
    assert all(r["read_at"] and r["sent_at"] for r in rows)
    assert sum(1 for r in rows if r["delivered_at"]) == delivered


async def test_pair_rate_limit_retries_only_that_recipient_later(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    first = await ws.contacts(1, tags=("first",))
    await ws.contacts(2)
    await ws.wait(await _launch(ws, kind="tags", tags=["first"]))
    faults = ws.emulator.faults
    faults.pair_rate_limit, faults.pair_rate_burst, faults.pair_rate_window_seconds = True, 1, 3
    broadcast_id = await _launch(ws)
    rows: dict[str, dict[str, object]] = {}
    for _ in range(500):  # the first pass: the recent recipient waits, the others are sent
        rows = {str(r["contact_id"]): r for r in await ws.recipients(broadcast_id)}
        if (
            rows
            and all(r["status"] != "sending" for r in rows.values())
            and any(r["error_code"] == 131056 for r in rows.values())
        ):
            break
        await asyncio.sleep(0.01)
    waiting = rows[first[0]]
    assert waiting["status"] == "pending" and waiting["error_code"] == 131056, waiting
    assert "retrying" in str(waiting["error"]) and waiting["next_attempt_at"]
    done = await ws.wait(broadcast_id)
    assert done["status"] == "completed" and done["counts"]["read"] == 3, done["counts"]
    again = {r["contact_id"]: r for r in await ws.recipients(broadcast_id)}
    assert again[first[0]]["attempts"] >= 2 and again[first[0]]["error"] is None
    assert len(ws.outbound()) == 4  # refused sends are not messages: one each, plus the first


async def test_terminal_failures_show_their_code_and_reason_per_recipient(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    ws.emulator.faults.async_failure_code = 131026
    await ws.contacts(3)
    done = await ws.wait(await _launch(ws))
    assert done["status"] == "completed"
    assert done["counts"]["failed"] == 3 and done["funnel"]["failed"] == 3
    failed = await ws.recipients(done["id"], status="failed")
    assert [r["error_code"] for r in failed] == [131026] * 3
    assert all("undeliverable" in str(r["error"]).lower() for r in failed), failed
    csv = await client.get(f"/api/broadcasts/{done['id']}/recipients.csv", headers=ws.owner.auth)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("contact_id,name,phone,status,error_code,error")
    assert len(lines) == 4 and all(",failed,131026," in line for line in lines[1:])


async def test_an_expired_token_pauses_with_the_reason_and_resume_completes(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    await ws.set_budget(10)  # 9 messages/s for the broadcast: the token expires midway
    await ws.contacts(30)
    broadcast_id = await _launch(ws)
    await _wait_sent(ws, 8)
    ws.emulator.faults.token_expired = True
    paused = await ws.wait(broadcast_id, ("paused",))
    while paused["counts"]["sending"]:  # the batches in flight are recorded, then it stops
        await asyncio.sleep(0.05)
        paused = await ws.get(f"/api/broadcasts/{broadcast_id}")
    assert "access token" in str(paused["paused_reason"]), paused
    assert "Settings" in str(paused["paused_reason"])
    counts = paused["counts"]
    assert counts["pending"] > 0 and counts["failed"] == 0 and counts["sending"] == 0, counts
    assert counts["read"] == len(ws.outbound()) < 30
    await asyncio.sleep(0.3)  # nothing more goes out while paused
    assert len(ws.outbound()) == counts["read"]

    # The token is fixed in Settings, then the broadcast resumes.
    ws.emulator.faults.token_expired = False
    r = await client.patch(f"/api/whatsapp-accounts/{ws.account_id}", headers=ws.owner.auth,
                           json={"accessToken": "SANDBOX-renewed-token"})  # fmt: skip
    assert r.status_code == 200, r.text
    resumed = await ws.post(f"/api/broadcasts/{broadcast_id}/resume")
    assert resumed["status"] == "running" and resumed["paused_reason"] is None
    done = await ws.wait(broadcast_id)
    assert done["status"] == "completed" and done["counts"]["read"] == 30, done["counts"]
    assert set(_once_each(ws).values()) == {1} and len(_once_each(ws)) == 30


async def test_pause_resume_and_cancel_at_any_time(client: AsyncClient, app: FastAPI) -> None:
    ws = await workspace(app, client)
    await ws.set_budget(10)
    await ws.contacts(40)
    broadcast_id = await _launch(ws)
    await _wait_sent(ws, 3)
    paused = await ws.post(f"/api/broadcasts/{broadcast_id}/pause")
    assert paused["status"] == "paused" and paused["paused_reason"] == "Paused by a user"
    settled = await ws.wait(broadcast_id, ("paused",))
    while settled["counts"]["sending"]:  # the batch in flight is recorded, then it stops
        await asyncio.sleep(0.05)
        settled = await ws.get(f"/api/broadcasts/{broadcast_id}")
    sent_while_paused = len(ws.outbound())
    await asyncio.sleep(0.5)
    assert len(ws.outbound()) == sent_while_paused < 40
    assert settled["counts"]["pending"] > 0
    await ws.post(f"/api/broadcasts/{broadcast_id}/resume")
    await _wait_sent(ws, sent_while_paused + 3)
    cancelled = await ws.post(f"/api/broadcasts/{broadcast_id}/cancel")
    assert cancelled["status"] == "cancelled"
    done = await ws.wait(broadcast_id, ("cancelled",))
    final = done
    while final["counts"]["sending"]:  # batches in flight at the cancel are recorded
        await asyncio.sleep(0.05)
        final = await ws.get(f"/api/broadcasts/{broadcast_id}")
    await ws.emulator.drain()
    counts = final["counts"]
    assert counts["pending"] == 0 and counts["sending"] == 0, counts
    assert counts["skipped"] + counts["read"] + counts["sent"] + counts["delivered"] == 40
    assert counts["read"] + counts["sent"] + counts["delivered"] == len(ws.outbound()) < 40
    skipped = await ws.recipients(broadcast_id, status="skipped")
    assert {r["error"] for r in skipped} == {"cancelled"}
    assert done["cancelled_at"]
    for action in ("pause", "resume", "cancel", "launch"):
        r = await client.post(f"/api/broadcasts/{broadcast_id}/{action}", headers=ws.owner.auth)
        assert r.status_code == 409, (action, r.text)


async def test_an_ecosystem_failure_131049_is_retried_once_a_day_later(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    ws.emulator.faults.statuses = False  # the messages stay `sent` until Meta says otherwise
    [contact_id] = await ws.contacts(1)
    broadcast_id = await _launch(ws)
    done = await ws.wait(broadcast_id)
    assert done["status"] == "completed" and done["counts"]["sent"] == 1
    [first] = ws.outbound()
    ws.emulator.fail_message(first.wamid, 131049)  # "healthy ecosystem engagement"
    await ws.emulator.drain()
    await asyncio.wait_for(ws.ctx.webhook_worker.drain(), 20)
    reopened = await ws.get(f"/api/broadcasts/{broadcast_id}")
    assert reopened["status"] == "running" and reopened["counts"]["pending"] == 1, reopened
    [row] = await ws.recipients(broadcast_id)
    assert row["error_code"] == 131049 and "24 h" in str(row["error"]) and row["next_attempt_at"]
    await settle(app)
    assert len(ws.outbound()) == 1  # not before the day is over
    key = await ws.post("/api/api-keys", {"name": "a day later"}, expect=201)
    ws.owner.token = key["key"]  # logins expire within the day; an API key does not
    with travel(timedelta(hours=24, minutes=1)):
        await settle(app)
        again = await ws.wait(broadcast_id)
    assert again["status"] == "completed" and again["counts"]["sent"] == 1, again
    assert len(ws.outbound()) == 2 and contact_id
    ws.emulator.fail_message(ws.outbound()[-1].wamid, 131049)  # once only: now it fails
    await ws.emulator.drain()
    await asyncio.wait_for(ws.ctx.webhook_worker.drain(), 20)
    [row] = await ws.recipients(broadcast_id)
    assert (row["status"], row["error_code"]) == ("failed", 131049)
