"""In a real browser: what an owner did shows up in Settings → Audit log, newest first."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_auth_and_settings import _register
from tests.helpers import unique_email


def test_an_owners_actions_are_in_the_audit_log(page: Page) -> None:
    _register(page, unique_email("auditor"))
    page.goto("/settings/api-keys")
    page.get_by_test_id("apikey-name").fill("Zapier")
    page.get_by_test_id("apikey-create").click()
    expect(page.get_by_text("Zapier").first).to_be_visible()

    page.goto("/settings/audit-log")  # (the new key's dialog covers the tabs)
    rows = page.get_by_test_id("audit-row")
    expect(rows.first).to_contain_text("api_key.created")
    expect(page.get_by_test_id("settings-tab-audit")).to_have_attribute("aria-current", "page")
    screenshot(page, "40-settings-audit-log")
    page.get_by_test_id("audit-filter").fill("no.such.action")
    expect(page.get_by_text("Nothing recorded yet")).to_be_visible()
