"""In a real browser: an admin syncs and creates templates in Settings → Templates, then an
agent sends one from the inbox with the picker's parameter form and live preview.

A fresh workspace with its own sandbox number, so the demo workspace (used by the other browser
tests, some of which expect no synced templates) is left alone.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_inbox import _context, _login

PASSWORD = "templates-e2e-password"


@dataclass
class Workspace:
    http: httpx.Client
    email: str
    account: str

    def customer_says(self, name: str, text: str) -> str:
        wa_id = "54911" + str(secrets.randbelow(10**8)).zfill(8)
        base = f"/api/sandbox/accounts/{self.account}/customers"
        self.http.post(base, json={"profileName": name, "waId": wa_id}).raise_for_status()
        said = self.http.post(f"{base}/{wa_id}/messages", json={"type": "text", "text": text})
        said.raise_for_status()
        return wa_id

    def contact_id(self, wa_id: str) -> str:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            rows = self.http.get("/api/conversations", params={"q": wa_id}).json()["conversations"]
            if rows:
                return str(rows[0]["contact_id"])
            time.sleep(0.1)
        raise AssertionError(f"no conversation for {wa_id}")


@pytest.fixture(scope="module")
def workspace(server_url: str) -> Iterator[Workspace]:
    email = f"tpl-{secrets.token_hex(4)}@example.com"
    body = {"name": "Tina Templates", "email": email, "password": PASSWORD}
    registered = httpx.post(f"{server_url}/api/auth/register", json=body)
    registered.raise_for_status()
    token = registered.json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    http = httpx.Client(base_url=server_url, timeout=10, headers=auth)
    account = http.post("/api/whatsapp-accounts", json={"name": "Sandbox", "sandbox": True})
    account.raise_for_status()
    yield Workspace(http, email, account.json()["id"])
    http.close()


def test_sync_create_and_send_a_template_with_its_parameters(
    browser: Browser, server_url: str, workspace: Workspace
) -> None:
    wa_id = workspace.customer_says("Mora", "hola, ¿salió mi pedido?")
    contact = workspace.contact_id(wa_id)
    ctx = _context(browser, server_url)
    try:
        page = ctx.new_page()
        _login(page, workspace.email, PASSWORD)
        page.goto("/settings/templates")
        expect(page.get_by_test_id("settings-tab-templates")).to_have_attribute(
            "aria-current", "page"
        )
        page.get_by_test_id("templates-sync").click()
        hello = page.locator('[data-testid="template-row"][data-name="hello_world"]')
        expect(hello.get_by_test_id("template-status")).to_have_text("Approved")

        page.get_by_test_id("templates-new").click()
        page.get_by_test_id("template-new-name").fill("order ready")
        page.get_by_test_id("template-new-body").fill("Hi {{1}}, order {{2}} is ready.")
        page.get_by_test_id("template-create").click()
        # No examples yet: the server names the field, Meta never sees it.
        expect(page.get_by_test_id("form-error")).to_contain_text("components[0].example")
        examples = page.get_by_test_id("template-new-example")
        examples.nth(0).fill("Ana")
        examples.nth(1).fill("A-7")
        expect(page.get_by_test_id("template-preview-body")).to_have_text(
            "Hi Ana, order A-7 is ready."
        )
        page.get_by_test_id("template-create").click()
        created = page.locator('[data-testid="template-row"][data-name="order_ready"]')
        expect(created).to_be_visible()
        screenshot(page, "30-settings-templates")
        # Meta's (the emulator's) review verdict arrives by webhook; the list shows it on reload.
        page.reload()
        expect(created.get_by_test_id("template-status")).to_have_text("Approved")

        page.goto(f"/inbox/{contact}")
        page.get_by_test_id("template-picker-open").click()
        picker = page.get_by_test_id("template-picker")
        picker.get_by_test_id("template-search").fill("order")
        picker.locator('[data-testid="template-option"][data-name="order_ready"]').click()
        send = picker.get_by_test_id("template-send")
        expect(send).to_be_disabled()
        picker.get_by_label("Body {{1}}").fill("Mora")
        picker.get_by_label("Body {{2}}").fill("B-12")
        expect(picker.get_by_test_id("template-preview-body")).to_have_text(
            "Hi Mora, order B-12 is ready."
        )
        screenshot(page, "31-inbox-template-picker")
        send.click()
        bubble = page.locator(
            '[data-testid="inbox-thread"] [data-testid="message"][data-type="template"]'
        )
        expect(bubble).to_contain_text("order_ready")
        expect(bubble).to_have_attribute("data-status", "read")
        delivered = workspace.http.get(
            f"/api/sandbox/accounts/{workspace.account}/customers/{wa_id}/messages"
        ).json()["messages"]
        assert any("Hi Mora, order B-12 is ready." in str(m) for m in delivered), delivered
    finally:
        ctx.close()
