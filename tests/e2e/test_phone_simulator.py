"""In a real browser: a simulated customer says "hola" to the demo's sandbox number."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot


def test_customer_sends_hola_and_it_is_stored(page: Page, server_data_dir: Path) -> None:
    page.goto("/login")
    page.get_by_test_id("login-email").fill("demo@finnegans.local")
    page.get_by_test_id("login-password").fill("finnegans-demo")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible()
    page.get_by_test_id("nav-simulator").click()
    page.get_by_test_id("sim-new-customer-name").fill("Lucía")
    page.get_by_test_id("sim-new-customer-submit").click()
    # Earlier tests may have left customers on this number: type only once the
    # new customer's chat is the one on screen, or the switch clears the input.
    expect(page.get_by_test_id("sim-chat")).to_contain_text("Lucía")
    page.get_by_test_id("sim-input").fill("hola")
    page.get_by_test_id("sim-send").click()
    bubble = page.locator('[data-testid="sim-message"][data-direction="inbound"]')
    expect(bubble.first).to_contain_text("hola")
    screenshot(page, "10-phone-simulator-hola")

    # The message went through the signed webhook into the database.
    deadline = time.monotonic() + 10
    stored: list[tuple[str, str]] = []
    while time.monotonic() < deadline and not stored:
        with sqlite3.connect(server_data_dir / "finnegans.db") as db:
            stored = db.execute(
                "SELECT text, direction FROM messages WHERE text = 'hola'"
            ).fetchall()
        time.sleep(0.2)
    assert stored == [("hola", "inbound")]
