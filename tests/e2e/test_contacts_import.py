"""In a real browser: a new workspace imports a CSV of contacts through the wizard.

Upload (Spanish headers, `;`), check the suggested mapping, start, watch the progress bar reach
100 %, see the counts and download the error report, then find the contacts in the list.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_inbox import _login
from tests.helpers import unique_email

PASSWORD = "correct horse battery"
CSV = (
    "Nombre;Teléfono;Etiquetas\n"
    "Lucía Gómez;+54 9 11 5555-0101;vip|feria\n"
    "Martín Díaz;+34 612 345 678;feria\n"
    "Sin número;;feria\n"
)


def test_import_contacts_with_the_wizard(page: Page, server_url: str, tmp_path: Path) -> None:
    email = unique_email("import")
    r = httpx.post(f"{server_url}/api/auth/register",
                   json={"name": "Importer", "email": email, "password": PASSWORD})  # fmt: skip
    assert r.status_code == 201, r.text
    _login(page, email, PASSWORD)

    page.get_by_test_id("nav-contacts").click()
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    page.get_by_test_id("contacts-import").click()
    csv_path = tmp_path / "clientes.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    page.get_by_test_id("import-file").set_input_files(str(csv_path))

    expect(page.get_by_test_id("import-column")).to_have_count(3)
    expect(page.get_by_test_id("import-target-0")).to_have_value("name")
    expect(page.get_by_test_id("import-target-1")).to_have_value("phone")
    expect(page.get_by_test_id("import-target-2")).to_have_value("tags")
    screenshot(page, "contacts-import-mapping")
    page.get_by_test_id("import-start").click()

    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_test_id("import-count-created")).to_contain_text("2")
    expect(page.get_by_test_id("import-count-failed")).to_contain_text("1")
    screenshot(page, "contacts-import-done")
    with page.expect_download() as download:
        page.get_by_test_id("import-errors-link").click()
    report = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert report.splitlines()[0] == "row,phone,column,value,reason"
    assert "4,,Teléfono,,the phone is empty" in report

    page.get_by_role("link", name="See contacts").click()
    expect(page.get_by_test_id("contact-row")).to_have_count(2)
    expect(page.get_by_test_id("contact-row").filter(has_text="Lucía Gómez")).to_contain_text(
        "+5491155550101"
    )
