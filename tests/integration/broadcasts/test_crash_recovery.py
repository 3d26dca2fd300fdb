"""A `serve` process killed with SIGKILL mid-broadcast, then restarted: every recipient ends in
exactly one terminal state and the emulator received each message exactly once.

Real processes on real ports: `finnegans emulator` (Graph API + webhooks, its own server) and
`finnegans serve` pointed at it with GRAPH_API_URL, on SQLite and on PostgreSQL. Like Meta, the
emulator keeps re-posting webhooks the dead server did not acknowledge, so sends accepted just
before the kill are settled by their status webhooks (which echo the recipient id) instead of
being sent again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import require_service
from tests.processes import free_port, wait_http

PHONE_NUMBER_ID = "106540352242999"
WABA_ID = "102290129340999"
TOKEN = "crash-test-token"  # the emulator's credential for this test
APP_SECRET = "crash-test-secret"
RECIPIENTS = 200
BUDGET = 40  # messages/s: 36 for the broadcast, so the run takes about 6 seconds


class Servers:
    def __init__(self, database_url: str, data_dir: Path) -> None:
        self.emulator_port, self.port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.graph = f"http://127.0.0.1:{self.emulator_port}"
        self.env = {
            **os.environ, "DATABASE_URL": database_url, "DATA_DIR": str(data_dir),
            "PUBLIC_URL": self.base, "GRAPH_API_URL": self.graph, "LOG_LEVEL": "WARNING",
            "BROADCAST_SENDING_GRACE_SECONDS": "8", "ENVIRONMENT": "development",
        }  # fmt: skip
        self.emulator: subprocess.Popen[bytes] | None = None
        self.serve: subprocess.Popen[bytes] | None = None

    def start_emulator(self) -> None:
        self.emulator = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "finnegans", "emulator", "--port", str(self.emulator_port),
             "--webhook-url", f"{self.base}/webhook", "--app-secret", APP_SECRET,
             "--phone-number-id", PHONE_NUMBER_ID, "--access-token", TOKEN,
             "--waba-id", WABA_ID, "--throughput", str(BUDGET)],
            env=self.env, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_http(f"{self.graph}/_emulator/numbers")
        # Like Meta (7 days of retries), keep re-posting while the server is down.
        faults = {"webhook_retries": 12, "webhook_retry_delay": 0.2}
        httpx.patch(f"{self.graph}/_emulator/faults", json=faults).raise_for_status()

    def start_serve(self) -> None:
        self.serve = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "finnegans", "serve", "--port", str(self.port)],
            env=self.env, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_http(f"{self.base}/api/health", timeout=60)

    def kill_serve(self) -> None:
        assert self.serve is not None
        self.serve.send_signal(signal.SIGKILL)
        self.serve.wait(10)

    def stop(self) -> None:
        for proc in (self.serve, self.emulator):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(10)

    def outbound_per_customer(self) -> dict[str, int]:
        rows = httpx.get(f"{self.graph}/_emulator/conversations",
                         params={"phone_number_id": PHONE_NUMBER_ID}).json()  # fmt: skip
        return {row["wa_id"]: int(row["message_count"]) for row in rows}


@pytest.fixture(params=["sqlite", "postgres"])
def servers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Servers]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'crash.db'}"
    else:
        require_service("TEST_POSTGRES_URL", os.environ.get("TEST_POSTGRES_URL"))
        url = request.getfixturevalue("fresh_postgres_url")
    found = Servers(url, tmp_path / "data")
    try:
        found.start_emulator()
        found.start_serve()
        yield found
    finally:
        found.stop()


def _setup(api: httpx.Client) -> None:
    r = api.post("/api/auth/register", json={"name": "Crash", "email": "crash@example.com",
                                             "password": "crash-test-password"})  # fmt: skip
    r.raise_for_status()
    api.headers["Authorization"] = f"Bearer {r.json()['token']}"
    r = api.post("/api/whatsapp-accounts", json={
        "phoneNumberId": PHONE_NUMBER_ID, "businessAccountId": WABA_ID, "accessToken": TOKEN,
        "appSecret": APP_SECRET, "sendBudgetPerSecond": BUDGET})  # fmt: skip
    assert r.status_code == 201, r.text
    for i in range(RECIPIENTS):
        r = api.post("/api/contacts", json={"name": f"C{i}", "phone": f"+54911600{i:05d}"})
        assert r.status_code == 201, r.text


def _broadcast(api: httpx.Client, broadcast_id: str) -> dict[str, Any]:
    r = api.get(f"/api/broadcasts/{broadcast_id}")
    r.raise_for_status()
    found: dict[str, Any] = r.json()
    return found


def test_sigkill_mid_broadcast_then_restart_sends_each_message_exactly_once(
    servers: Servers,
) -> None:
    with httpx.Client(base_url=servers.base, timeout=10) as api:
        _setup(api)
        hello = {"name": "hello_world", "language": {"code": "en_US"}}
        body = {"title": "Crash", "launch": True, "audience": {"kind": "everyone"},
                "content": {"kind": "template", "template": hello}}  # fmt: skip
        r = api.post("/api/broadcasts", json=body)
        assert r.status_code == 201, r.text
        broadcast_id = r.json()["id"]
        deadline = time.monotonic() + 30
        while sum(servers.outbound_per_customer().values()) < RECIPIENTS // 3:
            assert time.monotonic() < deadline, "the broadcast did not start sending"
            time.sleep(0.05)
        servers.kill_serve()
        sent_before = sum(servers.outbound_per_customer().values())
        assert sent_before < RECIPIENTS, "killed too late: nothing left to recover"
        servers.start_serve()
        deadline = time.monotonic() + 60
        while (found := _broadcast(api, broadcast_id))["status"] != "completed":
            assert time.monotonic() < deadline, found
            time.sleep(0.2)
        # Late webhooks settle delivered/read; wait for the counts to stop moving.
        time.sleep(1.0)
        found = _broadcast(api, broadcast_id)
    counts = found["counts"]
    assert found["total_recipients"] == RECIPIENTS
    assert counts["pending"] == 0 and counts["sending"] == 0, counts
    final = sum(counts[s] for s in ("sent", "delivered", "read", "failed", "skipped"))
    assert final == RECIPIENTS, counts
    assert counts["failed"] == 0 and counts["skipped"] == 0, counts
    per_customer = servers.outbound_per_customer()
    assert len(per_customer) == RECIPIENTS
    assert set(per_customer.values()) == {1}, {k: v for k, v in per_customer.items() if v != 1}
