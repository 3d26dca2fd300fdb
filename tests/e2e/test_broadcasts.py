"""In a real browser: import contacts with the wizard, then create and launch a broadcast with
the broadcast wizard, watch its progress bar reach 100 % and open a failed recipient's reason.

The failure is real: one imported number is a possible German number (16 digits, which
`phonenumbers` accepts) that the WhatsApp emulator refuses, as Meta does, with a Graph error;
the sender fails that recipient with the code and Meta's reason, and sends the others.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_inbox import _login

PASSWORD = "correct horse battery"
INVITE = {
    "name": "feria_invite",
    "language": "es",
    "category": "MARKETING",
    "components": [{"type": "BODY", "text": "Hola {{1}}, te esperamos en la feria.",
                    "example": {"body_text": [["Ana"]]}}],
}  # fmt: skip
CSV = (
    "Nombre,Teléfono,Etiquetas\n"
    "Lucía Gómez,+54 9 11 5555-0201,diciembre\n"
    "Martín Díaz,+54 9 11 5555-0202,diciembre\n"
    "Número largo,+49 30 123456789012,diciembre\n"
)


def test_create_launch_and_follow_a_broadcast(page: Page, server_url: str, tmp_path: Path) -> None:
    email = f"bcast-{secrets.token_hex(4)}@example.com"
    body = {"name": "Bea Broadcasts", "email": email, "password": PASSWORD}
    r = httpx.post(f"{server_url}/api/auth/register", json=body)
    assert r.status_code == 201, r.text
    auth = {"Authorization": f"Bearer {r.json()['token']}"}
    with httpx.Client(base_url=server_url, headers=auth, timeout=10) as http:
        account = http.post("/api/whatsapp-accounts", json={"name": "Sandbox", "sandbox": True})
        assert account.status_code == 201, account.text
        synced = http.post("/api/templates/sync", json={})
        assert synced.status_code == 200, synced.text
    _login(page, email, PASSWORD)

    # 1. Contacts through the import wizard.
    page.get_by_test_id("nav-contacts").click()
    page.get_by_test_id("contacts-import").click()
    csv_path = tmp_path / "diciembre.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    page.get_by_test_id("import-file").set_input_files(str(csv_path))
    expect(page.get_by_test_id("import-target-1")).to_have_value("phone")
    page.get_by_test_id("import-start").click()
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_test_id("import-count-created")).to_contain_text("3")

    # 2. The wizard: audience with a live count.
    page.get_by_test_id("nav-broadcasts").click()
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    screenshot(page, "broadcasts-empty")
    page.get_by_test_id("broadcasts-new").first.click()
    expect(page.get_by_test_id("audience-count-unique")).to_have_text("3")
    page.get_by_test_id("audience-kind-tags").click()
    page.locator('[data-testid="audience-tag"][data-name="diciembre"]').check()
    expect(page.get_by_test_id("audience-count-unique")).to_have_text("3")
    screenshot(page, "broadcasts-wizard-audience")
    page.get_by_test_id("wizard-next").click()

    # Content: the shared template picker, and what real recipients would get.
    page.locator('[data-testid="template-option"][data-name="hello_world"]').click()
    page.get_by_test_id("template-send").click()
    expect(page.get_by_test_id("content-template-chosen")).to_contain_text("hello_world")
    expect(page.get_by_test_id("content-sample")).to_have_count(3)
    screenshot(page, "broadcasts-wizard-content")
    page.get_by_test_id("wizard-next").click()

    # Schedule: now; review; launch.
    expect(page.get_by_test_id("schedule-now")).to_be_checked()
    page.get_by_test_id("wizard-next").click()
    page.get_by_test_id("broadcast-name").fill("Promo diciembre")
    expect(page.get_by_test_id("summary-audience")).to_contain_text("diciembre")
    screenshot(page, "broadcasts-wizard-review")
    page.get_by_test_id("wizard-launch").click()

    # 3. The broadcast page: the bar reaches 100 %, one recipient failed, with its reason.
    expect(page.get_by_test_id("broadcast-title")).to_have_text("Promo diciembre")
    expect(page.get_by_role("progressbar")).to_have_attribute(
        "aria-valuenow", "100", timeout=30_000
    )
    expect(page.get_by_test_id("broadcast-status")).to_have_text("Completed")
    expect(page.get_by_test_id("funnel-failed")).to_contain_text("1")
    expect(page.get_by_test_id("funnel-sent")).to_contain_text("2")
    screenshot(page, "broadcasts-page-done")
    page.get_by_test_id("recipients-filter").select_option("failed")
    failed = page.get_by_test_id("recipient-row")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("Número largo")
    failed.get_by_test_id("recipient-expand").click()
    reason = page.get_by_test_id("recipient-reason")
    expect(reason).to_contain_text("WhatsApp error")
    expect(reason).to_contain_text("phone number")
    screenshot(page, "broadcasts-page-failed-reason")

    # The list shows it, completed.
    page.get_by_test_id("nav-broadcasts").click()
    row = page.get_by_test_id("broadcast-row").filter(has_text="Promo diciembre")
    expect(row.get_by_test_id("broadcast-status")).to_have_text("Completed")
    screenshot(page, "broadcasts-list")


def test_a_csv_list_audience_and_a_schedule_in_the_past(
    page: Page, server_url: str, tmp_path: Path
) -> None:
    email = f"bcsv-{secrets.token_hex(4)}@example.com"
    body = {"name": "Carla CSV", "email": email, "password": PASSWORD}
    r = httpx.post(f"{server_url}/api/auth/register", json=body)
    assert r.status_code == 201, r.text
    auth = {"Authorization": f"Bearer {r.json()['token']}"}
    http = httpx.Client(base_url=server_url, headers=auth, timeout=10)
    account = http.post("/api/whatsapp-accounts", json={"name": "Sandbox", "sandbox": True})
    assert account.status_code == 201, account.text
    account_id = account.json()["id"]
    # A template with a parameter, approved by the emulator's (Meta's) review.
    created = http.post("/api/templates", json=INVITE)
    assert created.status_code == 201, created.text
    assert http.post("/api/templates/sync", json={}).status_code == 200
    _login(page, email, PASSWORD)
    page.goto("/broadcasts/new")

    # A list of numbers: two valid (new contacts), one invalid row reported.
    list_path = tmp_path / "feria.csv"
    list_path.write_text(
        "teléfono;nombre\n+54 9 11 5555-0301;Ana\n+54 9 11 5555-0302;Beto\n12;Mal\n",
        encoding="utf-8",
    )
    page.get_by_test_id("audience-kind-csv").click()
    page.get_by_test_id("audience-csv-file").set_input_files(str(list_path))
    result = page.get_by_test_id("audience-csv-result")
    expect(result).to_contain_text("2 numbers: 0 already contacts, 2 new, 1 invalid rows")
    expect(page.get_by_test_id("audience-csv-errors")).to_contain_text("Row 4")
    expect(page.get_by_test_id("audience-count-unique")).to_have_text("2")
    screenshot(page, "broadcasts-wizard-csv-list")
    page.get_by_test_id("wizard-next").click()

    # The template's parameter takes each recipient's name; the preview shows real recipients.
    page.locator('[data-testid="template-option"][data-name="feria_invite"]').click()
    page.locator('[data-testid="template-param-field"][data-value="{{contact.name}}"]').click()
    expect(page.get_by_test_id("template-param")).to_have_value("{{contact.name}}")
    screenshot(page, "broadcasts-wizard-template-params")
    page.get_by_test_id("template-send").click()
    samples = page.get_by_test_id("content-sample")
    expect(samples).to_have_count(2)
    expect(samples.filter(has_text="Hola Ana, te esperamos")).to_have_count(1)
    expect(samples.filter(has_text="Hola Beto, te esperamos")).to_have_count(1)
    screenshot(page, "broadcasts-wizard-template-fields")
    page.get_by_test_id("wizard-next").click()

    # A time in the past: the server's message on the schedule step.
    page.get_by_test_id("schedule-later").check()
    page.get_by_test_id("schedule-at").fill("2020-01-01T10:00")
    page.get_by_test_id("wizard-next").click()
    page.get_by_test_id("wizard-launch").click()
    expect(page.get_by_test_id("wizard-error-schedule")).to_contain_text("in the past")
    screenshot(page, "broadcasts-wizard-past-schedule")

    # Now instead: the same draft launches and reaches everyone on the list.
    page.get_by_test_id("schedule-now").check()
    page.get_by_test_id("wizard-next").click()
    page.get_by_test_id("wizard-launch").click()
    expect(page.get_by_role("progressbar")).to_have_attribute(
        "aria-valuenow", "100", timeout=30_000
    )
    expect(page.get_by_test_id("funnel-sent")).to_contain_text("2")
    page.get_by_test_id("nav-broadcasts").click()
    expect(page.get_by_test_id("broadcast-row")).to_have_count(1)
    # What the customer's phone (the emulator) received: their own name.
    received = http.get(
        f"/api/sandbox/accounts/{account_id}/customers/5491155550301/messages"
    ).json()["messages"]
    assert any("Hola Ana, te esperamos en la feria." in str(m) for m in received), received
    http.close()
