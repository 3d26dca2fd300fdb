"""In a real browser: register, log out, log in, save WhatsApp settings (screenshots kept)."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.helpers import unique_email

PASSWORD = "a-long-password-1"


def _register(page: Page, email: str) -> None:
    page.goto("/register")
    page.get_by_test_id("register-name").fill("Lucía Pérez")
    page.get_by_test_id("register-workspace").fill("Panadería Lucía")
    page.get_by_test_id("register-email").fill(email)
    page.get_by_test_id("register-password").fill(PASSWORD)
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible()


def test_register_lands_in_an_empty_dashboard(page: Page) -> None:
    page.goto("/register")
    screenshot(page, "01-register")
    _register(page, unique_email("e2e"))
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("user-menu")).to_contain_text("Lucía")
    for nav in ("overview", "flows", "inbox", "contacts", "broadcasts", "settings"):
        expect(page.get_by_test_id(f"nav-{nav}")).to_be_visible()
    screenshot(page, "02-overview-after-register")
    page.get_by_test_id("nav-flows").click()
    expect(page.get_by_test_id("empty-state")).to_be_visible()


def test_register_shows_field_errors(page: Page) -> None:
    page.goto("/register")
    page.get_by_test_id("register-name").fill("X")
    page.get_by_test_id("register-email").fill(unique_email())
    page.get_by_test_id("register-password").fill("short")
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("field-error-password")).to_be_visible()
    expect(page.get_by_test_id("app-shell")).to_have_count(0)


def test_logout_then_login_with_a_wrong_then_right_password(page: Page) -> None:
    email = unique_email("e2e")
    _register(page, email)
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login"))
    # Logged out for real: the app redirects back to login.
    page.goto("/settings")
    expect(page).to_have_url(re.compile(r"/login"))

    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill("not-the-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("form-error")).to_be_visible()
    screenshot(page, "03-login-wrong-password")

    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible()


def test_seeded_demo_login_works(page: Page) -> None:
    page.goto("/login")
    page.get_by_test_id("login-email").fill("demo@finnegans.local")
    page.get_by_test_id("login-password").fill("finnegans-demo")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible()


def test_save_whatsapp_settings_secrets_masked_after_reload(page: Page, server_url: str) -> None:
    email = unique_email("e2e")
    _register(page, email)
    page.get_by_test_id("nav-settings").click()
    expect(page).to_have_url(re.compile(r"/settings/whatsapp"))
    screenshot(page, "04-settings-empty")
    page.get_by_test_id("wa-add").click()
    page.get_by_test_id("wa-name").fill("Ventas")
    page.get_by_test_id("wa-phone-number-id").fill("106540352242922")
    page.get_by_test_id("wa-waba-id").fill("102290129340398")
    page.get_by_test_id("wa-verify-token").fill("panaderia-verify-token")
    page.get_by_test_id("wa-app-secret").fill("app-secret-value-123456")
    page.get_by_test_id("wa-access-token").fill("EAAG-secret-token-abcdef-7890")
    page.get_by_test_id("wa-save").click()
    expect(page.get_by_test_id("toast")).to_contain_text(re.compile(".+"))
    expect(page.get_by_test_id("wa-status")).to_be_visible()
    expect(page.get_by_test_id("webhook-url")).to_contain_text(f"{server_url}/webhook")
    screenshot(page, "05-settings-saved")

    page.reload()
    page.get_by_test_id("wa-account-card").first.click()
    expect(page.get_by_test_id("wa-phone-number-id")).to_have_value("106540352242922")
    expect(page.get_by_test_id("wa-verify-token")).to_have_value("panaderia-verify-token")
    # The secret is not in the page: the input is empty and only a masked hint is shown.
    expect(page.get_by_test_id("wa-access-token")).to_have_value("")
    assert "EAAG-secret-token-abcdef-7890" not in page.content()
    screenshot(page, "06-settings-after-reload")

    # And the API agrees: stored, masked.
    login = httpx.post(f"{server_url}/api/auth/login", json={"email": email, "password": PASSWORD})
    token = login.json()["token"]
    accounts = httpx.get(
        f"{server_url}/api/whatsapp-accounts", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert accounts[0]["accessToken"] == "••••••7890"
    assert accounts[0]["status"] == "connected"


def test_spanish_ui_and_mobile_layout(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    _register(page, unique_email("e2e"))
    page.get_by_test_id("lang-switcher").first.select_option("es")
    expect(page.get_by_text("Primeros pasos")).to_be_visible()
    # The choice survives a reload.
    page.reload()
    expect(page.get_by_text("Primeros pasos")).to_be_visible()
    screenshot(page, "07-mobile-spanish")
