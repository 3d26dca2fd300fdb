"""In a real browser: invite a teammate who joins as an agent; create and revoke an API key."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_auth_and_settings import _register
from tests.helpers import unique_email


def test_invited_agent_joins_and_sees_settings_read_only(
    page: Page, browser: Browser, server_url: str
) -> None:
    _register(page, unique_email("owner"))
    page.goto("/settings/members")
    agent_email = unique_email("agent")
    page.get_by_test_id("invite-email").fill(agent_email)
    page.get_by_test_id("invite-role").select_option("agent")
    page.get_by_test_id("invite-submit").click()
    invite_url = page.get_by_test_id("invite-url").inner_text().strip()
    assert re.search(r"/invite/[\w-]{20,}$", invite_url)

    other = browser.new_context(base_url=server_url)
    agent_page = other.new_page()
    agent_page.goto(invite_url.replace("http://testserver", server_url))
    agent_page.get_by_test_id("accept-name").fill("Ada Agent")
    agent_page.get_by_test_id("accept-password").fill("agent-password-1")
    agent_page.get_by_test_id("accept-submit").click()
    expect(agent_page.get_by_test_id("app-shell")).to_be_visible()
    agent_page.goto("/settings/whatsapp")
    expect(agent_page.get_by_test_id("read-only-notice")).to_be_visible()
    expect(agent_page.get_by_test_id("wa-add")).to_have_count(0)
    agent_page.screenshot(path="tests/e2e/screenshots/08-agent-read-only.png")
    other.close()

    page.reload()
    expect(page.locator(f'[data-testid="member-row"][data-email="{agent_email}"]')).to_be_visible()


def test_api_key_is_shown_once_and_works_until_revoked(page: Page, server_url: str) -> None:
    _register(page, unique_email("keys"))
    page.goto("/settings/api-keys")
    page.get_by_test_id("apikey-name").fill("CRM sync")
    page.get_by_test_id("apikey-create").click()
    key = page.get_by_test_id("apikey-value").inner_text().strip()
    assert key.startswith("fin_")
    page.screenshot(path="tests/e2e/screenshots/09-api-key-created.png")
    me = httpx.get(f"{server_url}/api/auth/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200

    page.get_by_test_id("apikey-dialog-close").click()
    assert key not in page.content()
    page.get_by_test_id("apikey-revoke").first.click()
    page.get_by_test_id("confirm-accept").click()
    expect(page.get_by_test_id("apikey-status").first).to_contain_text(re.compile("evoked"))
    me = httpx.get(f"{server_url}/api/auth/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 401
