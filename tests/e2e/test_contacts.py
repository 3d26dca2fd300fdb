"""In a real browser: the Contacts table, its filters and bulk tagging, and one contact's page.

61 contacts are seeded through the API (60 by hand, one by writing to the demo's sandbox
number, so its timeline has a message). Every name carries this run's prefix: the search for it
shows exactly them, whatever other browser tests left in the demo workspace.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_inbox import DEMO_EMAIL, DEMO_PASSWORD, Api, _context, _login


@pytest.fixture(scope="module")
def demo(server_url: str) -> Iterator[Api]:
    client = Api(server_url)
    yield client
    client.http.close()


def _ok(response: Any) -> Any:
    assert response.status_code < 300, response.text
    return response.json() if response.status_code != 204 else None


def _seed(demo: Api, prefix: str, lead: str) -> list[dict[str, Any]]:
    """60 contacts "<prefix> 01".."<prefix> 60"; the first 20 tagged `lead`."""
    created = []
    for i in range(1, 61):
        phone = "+54911" + str(secrets.randbelow(10**8)).zfill(8)
        body = {"phone": phone, "name": f"{prefix} {i:02d}", "tags": [lead] if i <= 20 else []}
        created.append(_ok(demo.http.post("/api/contacts", json=body)))
    return created


def _row(page: Page, name: str) -> Any:
    return page.locator('[data-testid="contact-row"]', has_text=name)


def test_contacts_table_filters_bulk_tags_and_contact_page(
    browser: Browser, server_url: str, demo: Api
) -> None:
    tok = secrets.token_hex(2)
    prefix, lead, promo = f"Zeta{tok}", f"lead-{tok}", f"promo-{tok}"
    age_key = f"age_{tok}"
    definition_body = {"key": age_key, "label": "Edad", "type": "number"}
    _ok(demo.http.post("/api/contact-attributes", json=definition_body))
    seeded = _seed(demo, prefix, lead)
    wa_id = demo.new_customer("Camila")
    demo.customer_says(wa_id, "hola, quiero saber de la promo")
    camila = demo.contact_id(wa_id)
    _ok(demo.http.patch(f"/api/contacts/{camila}", json={"name": f"{prefix} Camila"}))

    ctx = _context(browser, server_url)
    try:
        page = ctx.new_page()
        _login(page, DEMO_EMAIL, DEMO_PASSWORD)
        page.get_by_test_id("nav-contacts").click()
        expect(page).to_have_url(f"{server_url}/contacts")
        expect(page.get_by_test_id("contact-row").first).to_be_visible()

        # Search: debounced, the live total says how many match, sorted by name.
        page.get_by_test_id("contacts-search").fill(prefix)
        expect(page.get_by_test_id("contacts-total")).to_have_text("61 contacts match")
        page.get_by_test_id("contacts-sort").select_option("name:asc")
        expect(page.get_by_test_id("contact-row").first).to_contain_text(f"{prefix} 01")
        # Virtualised: a screenful of rows in the DOM, not all 50 of the first page.
        assert page.get_by_test_id("contact-row").count() < 50
        screenshot(page, "30-contacts-search")

        # Scrolling to the end loads the second page (by cursor): the last one shows up.
        scroller = page.get_by_test_id("contacts-scroller")
        expect(_row(page, f"{prefix} Camila")).to_have_count(0)
        for _ in range(10):
            scroller.evaluate("el => el.scrollTo(0, el.scrollHeight)")
            if _row(page, f"{prefix} Camila").count():
                break
            page.wait_for_timeout(200)
        expect(_row(page, f"{prefix} Camila")).to_be_visible()
        expect(_row(page, f"{prefix} Camila").get_by_test_id("contact-row-phone")).to_have_text(
            f"+{wa_id}"
        )

        # Filter by tag: 20 of them.
        scroller.evaluate("el => el.scrollTo(0, 0)")
        page.get_by_test_id("contacts-filter-tag").select_option(lead)
        expect(page.get_by_test_id("contacts-total")).to_have_text("20 contacts match")
        expect(page.get_by_test_id("contact-row").first.get_by_test_id("tag-chip")).to_have_text(
            lead
        )

        # Select three and tag them in bulk.
        for name in (f"{prefix} 02", f"{prefix} 03", f"{prefix} 05"):
            _row(page, name).get_by_test_id("contact-select").check()
        expect(page.get_by_test_id("bulk-count")).to_have_text("3 selected")
        page.get_by_test_id("bulk-add-tag").click()
        dialog = page.get_by_test_id("bulk-tag-dialog")
        expect(dialog).to_contain_text("Add a tag to 3 contacts")
        dialog.get_by_test_id("bulk-tag-name").fill(promo)
        screenshot(page, "30-contacts-bulk-tag")
        dialog.get_by_test_id("bulk-tag-submit").click()
        toast = page.get_by_role("status").filter(has_text="Tag added to 3 contacts")
        expect(toast).to_be_visible()
        expect(page.get_by_test_id("bulk-bar")).to_have_count(0)
        for name in (f"{prefix} 02", f"{prefix} 03", f"{prefix} 05"):
            chip = _row(page, name).locator(f'[data-testid="tag-chip"][data-tag="{promo}"]')
            expect(chip).to_be_visible()
        expect(_row(page, f"{prefix} 04").locator(f'[data-tag="{promo}"]')).to_have_count(0)
        screenshot(page, "30-contacts-tagged")
        tagged = _ok(demo.http.get("/api/contacts", params={"tag": promo, "sort": "name"}))
        assert [c["name"] for c in tagged["contacts"]] == [
            f"{prefix} 02",
            f"{prefix} 03",
            f"{prefix} 05",
        ]
        assert {c["id"] for c in tagged["contacts"]} <= {c["id"] for c in seeded}

        # Save the tag filter as a segment (live count first), use it, then delete it.
        page.get_by_test_id("segment-save-open").click()
        dialog = page.get_by_test_id("save-segment-dialog")
        expect(dialog.get_by_test_id("segment-preview")).to_have_text(
            "20 contacts match right now."
        )
        expect(dialog).to_contain_text("The search text is not part of a segment")
        dialog.get_by_test_id("segment-name").fill(f"Leads {tok}")
        dialog.get_by_test_id("segment-save").click()
        expect(dialog).to_have_count(0)
        segment = page.get_by_test_id("contacts-filter-segment")
        expect(segment.locator("option:checked")).to_have_text(f"Leads {tok}")
        expect(page.get_by_test_id("contacts-search")).to_have_value("")
        expect(page.get_by_test_id("contacts-total")).to_have_text("20 contacts match")
        saved = _ok(demo.http.get("/api/segments"))["segments"]
        rules = next(s["rules"] for s in saved if s["name"] == f"Leads {tok}")
        assert rules["conditions"] == [{"field": "tag", "op": "has", "value": lead}]
        page.get_by_test_id("segment-delete").click()
        page.get_by_test_id("confirm-dialog").get_by_test_id("confirm-accept").click()
        expect(segment.locator("option:checked")).to_have_text("All contacts")
        expect(segment.locator("option", has_text=f"Leads {tok}")).to_have_count(0)

        # The contact page: edit a typed attribute, see the timeline.
        page.get_by_test_id("contacts-search").fill(prefix)
        expect(page.get_by_test_id("contacts-total")).to_have_text("61 contacts match")
        page.get_by_test_id("contacts-search").fill(f"{prefix} Camila")
        expect(page.get_by_test_id("contacts-total")).to_have_text("1 contact matches")
        _row(page, f"{prefix} Camila").get_by_test_id("contact-row-name").click()
        expect(page).to_have_url(f"{server_url}/contacts/{camila}")
        expect(page.get_by_test_id("contact-title")).to_have_text(f"{prefix} Camila")
        message = page.locator('[data-testid="timeline-item"][data-event="inbound"]')
        expect(message).to_contain_text("hola, quiero saber de la promo")
        expect(message).to_contain_text("Message received")

        age = page.get_by_test_id(f"attribute-{age_key}")
        expect(age).to_have_attribute("type", "number")
        age.fill("41")
        page.get_by_test_id("attributes-save").click()
        expect(page.get_by_role("status").filter(has_text="Contact saved")).to_be_visible()
        expect(page.get_by_test_id("attributes-save")).to_be_disabled()
        assert _ok(demo.http.get(f"/api/contacts/{camila}"))["attributes"][age_key] == 41
        expect(page.get_by_test_id("contact-open-inbox")).to_have_attribute(
            "href", f"/inbox/{camila}"
        )
        screenshot(page, "30-contact-page")
        page.get_by_test_id("timeline").scroll_into_view_if_needed()
        screenshot(page, "30-contact-timeline")

        # Settings → Contacts lists the attribute and the tags with their counts.
        page.get_by_test_id("nav-settings").click()
        page.get_by_test_id("settings-tab-contacts").click()
        expect(page).to_have_url(f"{server_url}/settings/contacts")
        definition = page.locator(f'[data-testid="attribute-definition"][data-key="{age_key}"]')
        expect(definition).to_contain_text("Edad")
        expect(definition.get_by_test_id("attribute-type")).to_have_text("Number")
        promo_row = page.locator(f'[data-testid="tag-row"][data-name="{promo}"]')
        expect(promo_row.get_by_test_id("tag-count")).to_have_text("3 contacts")
        expect(page.get_by_test_id("settings-opt-out-keywords-chip").first).to_be_visible()
        screenshot(page, "30-settings-contacts")
    finally:
        ctx.close()
