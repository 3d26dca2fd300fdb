"""In a real browser: an admin saves a canned response in Settings, then inserts it in the inbox.

The demo owner opens a conversation first (so the composer has already loaded the canned
responses), goes to Settings without reloading the page, adds one, and comes back: typing
`/shortcut` in the composer offers it and Enter puts its text in the reply box.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_inbox import DEMO_EMAIL, DEMO_PASSWORD, Api, _context, _login

DRAFT = "Hacemos envíos en 72 h."
TEXT = "¡Hola! Hacemos envíos a todo el país en 48 h. 📦"


@pytest.fixture(scope="module")
def demo(server_url: str) -> Iterator[Api]:
    client = Api(server_url)
    yield client
    client.http.close()


def _row(page: Page, shortcut: str) -> Locator:
    return page.locator(f'[data-testid="canned-row"][data-shortcut="{shortcut}"]')


def test_admin_creates_a_canned_response_and_inserts_it_in_the_inbox(
    browser: Browser, server_url: str, demo: Api
) -> None:
    shortcut = f"envios-{secrets.token_hex(2)}"
    wa_id = demo.new_customer("Camila")
    demo.customer_says(wa_id, "hola, ¿hacen envíos?")
    contact = demo.contact_id(wa_id)

    ctx = _context(browser, server_url)
    try:
        page = ctx.new_page()
        _login(page, DEMO_EMAIL, DEMO_PASSWORD)
        page.goto(f"/inbox/{contact}")
        expect(page.get_by_test_id("composer-input")).to_be_visible()
        # The composer has loaded the (still shortcut-less) list: nothing matches yet.
        page.get_by_test_id("composer-input").fill(f"/{shortcut}")
        expect(page.get_by_test_id("canned-popover")).to_have_count(0)
        page.get_by_test_id("composer-input").fill("")

        # Settings → Canned responses, within the same page (no reload).
        page.get_by_test_id("nav-settings").click()
        page.get_by_test_id("settings-tab-canned").click()
        expect(page).to_have_url(f"{server_url}/settings/canned-responses")

        # An invalid shortcut: the server's message shows on the field.
        page.get_by_test_id("canned-new-shortcut").fill("no vale!")
        page.get_by_test_id("canned-new-text").fill(TEXT)
        expect(page.get_by_test_id("canned-new-counter")).to_have_text("47 / 4096 characters")
        page.get_by_test_id("canned-create").click()
        expect(page.get_by_test_id("field-error-shortcut")).to_contain_text("a-z, 0-9, _ and -")

        page.get_by_test_id("canned-new-shortcut").fill(shortcut)
        expect(page.get_by_test_id("field-error-shortcut")).to_have_count(0)
        page.get_by_test_id("canned-new-text").fill(DRAFT)
        page.get_by_test_id("canned-create").click()
        row = _row(page, shortcut)
        expect(row.get_by_test_id("canned-shortcut")).to_have_text(f"/{shortcut}")
        expect(row.get_by_test_id("canned-text")).to_have_text(DRAFT)
        expect(page.get_by_test_id("canned-new-shortcut")).to_have_value("")

        # Edit it in place.
        row.get_by_test_id("canned-edit").click()
        editing = page.locator(f'[data-testid="canned-edit-row"][data-shortcut="{shortcut}"]')
        expect(editing.get_by_test_id("canned-edit-shortcut")).to_have_value(shortcut)
        editing.get_by_test_id("canned-edit-text").fill(TEXT)
        expect(editing.get_by_test_id("canned-edit-counter")).to_have_text("47 / 4096 characters")
        screenshot(page, "17-settings-canned-editing")
        editing.get_by_test_id("canned-edit-save").click()
        expect(editing).to_have_count(0)
        expect(row.get_by_test_id("canned-text")).to_have_text(TEXT)

        # The same shortcut again: 409, shown on the field.
        page.get_by_test_id("canned-new-shortcut").fill(f"/{shortcut.upper()}")
        page.get_by_test_id("canned-new-text").fill("otra")
        page.get_by_test_id("canned-create").click()
        expect(page.get_by_test_id("field-error-shortcut")).to_have_text(
            f"The shortcut /{shortcut} is already used"
        )
        expect(page.get_by_test_id("form-error")).to_have_count(0)
        screenshot(page, "17-settings-canned-duplicate")
        page.get_by_test_id("canned-new-shortcut").fill("")
        page.get_by_test_id("canned-new-text").fill("")
        expect(page.get_by_test_id("form-error")).to_have_count(0)

        # Search narrows the list client-side.
        page.get_by_test_id("canned-search").fill("48 h")
        expect(row).to_be_visible()
        expect(page.get_by_test_id("canned-row")).to_have_count(
            sum(1 for r in _canned(demo) if "48 h" in r["text"] or "48 h" in r["shortcut"])
        )
        screenshot(page, "17-settings-canned-search")
        page.get_by_test_id("canned-search").fill("")

        stored = [r for r in _canned(demo) if r["shortcut"] == shortcut]
        assert [r["text"] for r in stored] == [TEXT]

        # Back to the inbox (still no reload): `/shortcut` offers it, Enter inserts the text.
        page.get_by_test_id("nav-inbox").click()
        page.locator(f'[data-testid="inbox-row"][data-contact-id="{contact}"]').click()
        composer = page.get_by_test_id("composer-input")
        composer.click()
        composer.press_sequentially(f"/{shortcut}")
        # The exact shortcut is the first suggestion (prefix matches, by shortcut).
        option = page.get_by_test_id("canned-popover").get_by_test_id("canned-option").first
        expect(option).to_contain_text(f"/{shortcut}")
        expect(option).to_have_attribute("aria-selected", "true")
        composer.press("Enter")
        expect(composer).to_have_value(TEXT)
        expect(page.get_by_test_id("canned-popover")).to_have_count(0)
        screenshot(page, "18-inbox-canned-inserted")

        # Delete it again, confirming in the dialog.
        page.get_by_test_id("nav-settings").click()
        page.get_by_test_id("settings-tab-canned").click()
        _row(page, shortcut).get_by_test_id("canned-delete").click()
        expect(page.get_by_role("dialog")).to_contain_text(
            f"/{shortcut} will no longer be available"
        )
        page.get_by_test_id("confirm-accept").click()
        expect(_row(page, shortcut)).to_have_count(0)
        assert all(r["shortcut"] != shortcut for r in _canned(demo))
    finally:
        ctx.close()


def _canned(demo: Api) -> list[dict[str, str]]:
    r: httpx.Response = demo.http.get("/api/canned-responses")
    r.raise_for_status()
    return list(r.json()["canned_responses"])
