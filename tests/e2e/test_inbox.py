"""In a real browser: the shared inbox, live over Socket.IO and polling without it.

Two agents of the demo workspace watch the same conversation in two browser contexts while a
simulated customer writes to the demo's sandbox number (the built-in WhatsApp emulator).
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import screenshot

DEMO_EMAIL = "demo@finnegans.local"
DEMO_PASSWORD = "finnegans-demo"
AGENT_NAME = "Bea Agent"
AGENT_PASSWORD = "bea-agent-password"

# Records every value a message bubble's data-status takes, so the test can check the order
# the ticks went through even when the emulator posts sent/delivered/read 50 ms apart.
RECORD_STATUSES = """
window.__statuses = {};
const note = (el) => {
  if (!(el instanceof HTMLElement) || el.dataset.testid !== "message") return;
  const id = el.dataset.messageId, status = el.dataset.status;
  const seen = (window.__statuses[id] = window.__statuses[id] || []);
  if (status && seen[seen.length - 1] !== status) seen.push(status);
};
new MutationObserver((records) => {
  for (const r of records) {
    if (r.type === "attributes") note(r.target);
    for (const n of r.addedNodes || []) {
      if (n instanceof HTMLElement) {
        note(n);
        n.querySelectorAll('[data-testid="message"]').forEach(note);
      }
    }
  }
}).observe(document, {
  subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"],
});
"""

RANK = {"pending": 0, "sent": 1, "delivered": 2, "read": 3}


class Api:
    """The REST API as the demo owner (Bearer token: no CSRF needed)."""

    def __init__(self, base: str) -> None:
        login = httpx.post(
            f"{base}/api/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
        )
        login.raise_for_status()
        self.http = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {login.json()['token']}"}, timeout=10
        )
        accounts = self.http.get("/api/whatsapp-accounts").json()
        self.account = next(a["id"] for a in accounts if a["sandbox"])

    def new_customer(self, name: str) -> str:
        wa_id = "54911" + str(secrets.randbelow(10**8)).zfill(8)
        r = self.http.post(
            f"/api/sandbox/accounts/{self.account}/customers",
            json={"profileName": name, "waId": wa_id},
        )
        r.raise_for_status()
        return wa_id

    def customer_says(self, wa_id: str, text: str) -> None:
        r = self.http.post(
            f"/api/sandbox/accounts/{self.account}/customers/{wa_id}/messages",
            json={"type": "text", "text": text},
        )
        r.raise_for_status()

    def customer_inbox(self, wa_id: str) -> list[dict[str, Any]]:
        r = self.http.get(f"/api/sandbox/accounts/{self.account}/customers/{wa_id}/messages")
        r.raise_for_status()
        return list(r.json()["messages"])

    def contact_id(self, wa_id: str) -> str:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            rows = self.http.get("/api/conversations", params={"q": wa_id}).json()["conversations"]
            if rows:
                return str(rows[0]["contact_id"])
            time.sleep(0.1)
        raise AssertionError(f"no conversation for {wa_id}")

    def wait_for_bot_replies(self, contact_id: str, count: int) -> None:
        """Until the demo bot's replies are sent (closing the window under them fails them)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            messages = self.http.get(f"/api/conversations/{contact_id}").json()["messages"]
            outbound = [m for m in messages if m["direction"] == "outbound"]
            if len(outbound) >= count and all(m["status"] != "pending" for m in outbound):
                return
            time.sleep(0.1)
        raise AssertionError("the bot did not answer")


@pytest.fixture(scope="module")
def api(server_url: str) -> Iterator[Api]:
    client = Api(server_url)
    yield client
    client.http.close()


@pytest.fixture(scope="module")
def agent_email(api: Api, server_url: str) -> str:
    """A second agent of the demo workspace, invited and joined through the API."""
    email = f"bea-{secrets.token_hex(4)}@example.com"
    invite = api.http.post("/api/invitations", json={"email": email, "role": "agent"})
    invite.raise_for_status()
    accepted = httpx.post(
        f"{server_url}/api/invitations/accept",
        json={"token": invite.json()["token"], "name": AGENT_NAME, "password": AGENT_PASSWORD},
    )
    accepted.raise_for_status()
    return email


def _context(browser: Browser, server_url: str) -> BrowserContext:
    ctx = browser.new_context(
        base_url=server_url, viewport={"width": 1366, "height": 860}, locale="en-US"
    )
    ctx.set_default_timeout(10_000)
    return ctx


def _login(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible()


def _message(page: Page, text: str, direction: str = "inbound") -> Any:
    return page.locator(
        f'[data-testid="inbox-thread"] [data-testid="message"][data-direction="{direction}"]',
        has_text=text,
    )


def test_two_agents_see_the_conversation_live(
    browser: Browser, server_url: str, server_data_dir: Path, api: Api, agent_email: str
) -> None:
    wa_id = api.new_customer("Valentina")
    api.customer_says(wa_id, "hola, buen día")
    contact = api.contact_id(wa_id)

    ctx_a, ctx_b = _context(browser, server_url), _context(browser, server_url)
    try:
        a, b = ctx_a.new_page(), ctx_b.new_page()
        a.add_init_script(RECORD_STATUSES)
        b.add_init_script(RECORD_STATUSES)
        _login(a, DEMO_EMAIL, DEMO_PASSWORD)
        _login(b, agent_email, AGENT_PASSWORD)
        for page in (a, b):
            page.goto(f"/inbox/{contact}")
            expect(page.get_by_test_id("connection-status")).to_have_attribute("data-mode", "live")
            expect(_message(page, "buen día")).to_be_visible()
            expect(
                page.locator(f'[data-testid="inbox-row"][data-contact-id="{contact}"]')
            ).to_be_visible()

        # A customer message reaches both agents through the socket, without a reload.
        started = time.monotonic()
        api.customer_says(wa_id, "¿Hacen envíos a Rosario?")
        expect(_message(a, "Hacen envíos a Rosario")).to_be_visible(timeout=1_000)
        expect(_message(b, "Hacen envíos a Rosario")).to_be_visible(timeout=1_000)
        assert time.monotonic() - started < 1.0

        # Agent A types: agent B sees who.
        a.get_by_test_id("composer-input").fill("Sí, envi")
        expect(b.get_by_test_id("typing-indicator")).to_contain_text("Demo Owner is typing")
        screenshot(b, "11-inbox-typing-indicator")

        # Agent A replies: the customer's phone gets it, both agents see the ticks go to read.
        a.get_by_test_id("composer-input").fill("Sí, *enviamos* a Rosario en 48 h.")
        a.get_by_test_id("composer-input").press("Enter")
        for page in (a, b):
            reply = _message(page, "enviamos a Rosario", "outbound")
            expect(reply).to_have_attribute("data-status", "read")
            expect(reply.get_by_test_id("message-author")).to_have_text("Demo Owner")
            expect(reply.locator("strong")).to_have_text("enviamos")
            expect(page.get_by_test_id("conversation-mode")).to_have_attribute("data-mode", "human")
        expect(b.get_by_test_id("typing-indicator")).to_have_count(0, timeout=5_000)

        phone = api.customer_inbox(wa_id)
        assert any(
            m["direction"] == "outbound"
            and "Rosario en 48 h" in str(m["payload"].get("text", {}).get("body", ""))
            for m in phone
        )
        message_id = _message(a, "enviamos a Rosario", "outbound").get_attribute("data-message-id")
        for page in (a, b):
            seen = page.evaluate("(id) => window.__statuses[id] || []", message_id)
            print(f"ticks seen: {seen}")  # shown with -s
            assert seen[-1] == "read", seen
            assert [RANK[s] for s in seen] == sorted(RANK[s] for s in seen), seen
        # The emulator posts sent, delivered and read 10/20/50 ms after accepting the send,
        # faster than a frame: the stored timestamps show the message went through each.
        with sqlite3.connect(server_data_dir / "finnegans.db") as db:
            sent_at, delivered_at, read_at = db.execute(
                "SELECT sent_at, delivered_at, read_at FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
        assert sent_at and delivered_at and read_at

        screenshot(a, "12-inbox-agent-a-replied")
        screenshot(b, "13-inbox-agent-b-live")
    finally:
        ctx_a.close()
        ctx_b.close()


def test_inbox_polls_when_the_socket_is_blocked(
    browser: Browser, server_url: str, api: Api
) -> None:
    wa_id = api.new_customer("Tomás")
    api.customer_says(wa_id, "buenas")
    contact = api.contact_id(wa_id)

    ctx = _context(browser, server_url)
    try:
        ctx.route("**/socket.io/**", lambda route: route.abort())
        page = ctx.new_page()
        _login(page, DEMO_EMAIL, DEMO_PASSWORD)
        page.goto(f"/inbox/{contact}")
        status = page.get_by_test_id("connection-status")
        expect(status).to_have_text("Polling", timeout=5_000)
        expect(status).to_have_attribute("data-mode", "polling")
        expect(page.get_by_test_id("inbox-refresh")).to_be_visible()
        expect(_message(page, "buenas")).to_be_visible()

        api.customer_says(wa_id, "¿siguen ahí?")
        # Polling every 3 s: it shows up without a reload.
        expect(_message(page, "siguen ahí")).to_be_visible(timeout=5_000)
        screenshot(page, "14-inbox-polling")

        # The reply's ticks also arrive by polling.
        page.get_by_test_id("composer-input").fill("Sí, acá estamos")
        page.get_by_test_id("composer-send").click()
        expect(_message(page, "acá estamos", "outbound")).to_have_attribute(
            "data-status", "read", timeout=8_000
        )
    finally:
        ctx.close()


def test_closed_window_refuses_free_text_and_sends_a_template(
    browser: Browser, server_url: str, server_data_dir: Path, api: Api
) -> None:
    wa_id = api.new_customer("Julieta")
    api.customer_says(wa_id, "hola de nuevo")
    contact = api.contact_id(wa_id)
    api.wait_for_bot_replies(contact, 2)
    # The customer last wrote more than a day ago.
    with sqlite3.connect(server_data_dir / "finnegans.db") as db:
        db.execute(
            "UPDATE conversations SET window_expires_at = '2020-01-01 00:00:00.000000'"
            " WHERE contact_id = ?",
            (contact,),
        )

    refused = api.http.post(f"/api/conversations/{contact}", json={"type": "text", "text": "hola?"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "window_closed"

    ctx = _context(browser, server_url)
    try:
        page = ctx.new_page()
        _login(page, DEMO_EMAIL, DEMO_PASSWORD)
        page.goto(f"/inbox/{contact}")
        window = page.get_by_test_id("composer-window")
        expect(window).to_have_attribute("data-open", "false")
        expect(page.get_by_test_id("composer-closed")).to_contain_text(
            "only allows approved templates"
        )
        expect(page.get_by_test_id("composer-input")).to_have_count(0)

        page.get_by_test_id("template-picker-open").click()
        picker = page.get_by_test_id("template-picker")
        expect(picker).to_be_visible()
        expect(picker.get_by_test_id("template-name")).to_have_value("hello_world")
        screenshot(page, "15-inbox-window-closed-template")
        picker.get_by_test_id("template-send").click()

        template = page.locator(
            '[data-testid="inbox-thread"] [data-testid="message"][data-type="template"]'
        )
        expect(template).to_contain_text("hello_world")
        expect(template).to_have_attribute("data-status", "read")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if any(m["type"] == "template" for m in api.customer_inbox(wa_id)):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the customer never got the template")

        # A private note is still possible: it stays in the inbox.
        page.get_by_test_id("composer-note-toggle").click()
        page.get_by_test_id("composer-input").fill("Called her, she will write back")
        page.get_by_test_id("composer-input").press("Enter")
        expect(_message(page, "Called her", "note")).to_contain_text("only agents see this")
        screenshot(page, "16-inbox-template-and-note")
    finally:
        ctx.close()
