"""In a real browser: the Overview's KPIs and charts over seeded data, and the ⌘K palette.

A fresh workspace (registered through the UI) gets rows with known dates and statuses written
straight into the server's SQLite file, so every figure on the page is known in advance.
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from playwright.sync_api import Page, expect

from finnegans.db.engine import create_engine
from finnegans.db.session import Database
from tests.e2e.conftest import screenshot
from tests.helpers import unique_email
from tests.integration.metrics.seed import Seeder, days_ago

PASSWORD = "overview-e2e-password"


def _register(page: Page) -> str:
    page.goto("/register")
    page.get_by_test_id("register-name").fill("Olga Overview")
    page.get_by_test_id("register-workspace").fill("Café Olga")
    page.get_by_test_id("register-email").fill(unique_email("overview"))
    page.get_by_test_id("register-password").fill(PASSWORD)
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible()
    me = page.request.get("/api/auth/me")
    assert me.ok, me.text()
    return str(me.json()["workspace"]["id"])


def _seed(data_dir: Path, workspace_id: str) -> str:
    """Two weeks of traffic in UTC; returns the contact the palette should open."""
    s = Seeder(workspace_id)
    ana = s.contact("Ana Pérez", "+573001234567", created_at=days_ago("UTC", 2))
    s.contact("Bruno Díaz", "+573007654321", created_at=days_ago("UTC", 20))
    s.conversation(ana, "open", preview="¿Tienen pan sin gluten?")
    # Sent per day (6 days ago … today), each day's bars differ so the chart shows a shape.
    for n, (sent, received) in enumerate([(3, 1), (5, 2), (2, 4), (8, 3), (6, 6), (9, 2), (4, 5)]):
        day = 6 - n
        for i in range(sent):
            status = ("read", "read", "delivered", "sent", "failed")[i % 5]
            s.message("outbound", days_ago("UTC", day, 10, i), status)
        for i in range(received):
            s.message("inbound", days_ago("UTC", day, 11, i))
    flow = s.flow(
        "Pedidos", [("start", "Hola"), ("menu", "Menú"), ("order", "Pedido"), ("bye", "Gracias")]
    )
    other = s.flow("Encuesta", [("q1", "Pregunta")])
    for path, status in [
        (["start", "menu", "order", "bye"], "completed"),
        (["start", "menu", "order", "bye"], "completed"),
        (["start", "menu", "order"], "waiting_input"),
        (["start", "menu"], "expired"),
    ]:
        s.session(flow, status, days_ago("UTC", 1), path)
    s.session(other, "completed", days_ago("UTC", 3), ["q1"])
    s.broadcast("Promo de Navidad")

    async def write() -> None:
        db = Database(create_engine(f"sqlite+aiosqlite:///{data_dir / 'finnegans.db'}"))
        try:
            await s.flush(db, timezone="UTC")
        finally:
            await db.dispose()

    # Playwright's sync API owns this thread's event loop: write from another thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, write()).result()
    return ana


def _kpi(page: Page, name: str) -> str:
    return page.get_by_test_id(f"kpi-{name}").get_by_test_id("kpi-value").inner_text()


def test_overview_charts_and_command_palette(page: Page, server_data_dir: Path) -> None:
    workspace_id = _register(page)
    ana = _seed(server_data_dir, workspace_id)
    page.goto("/")

    chart = page.get_by_test_id("volume-chart")
    expect(chart).to_be_visible()
    # 37 sent and 23 received in the last 7 days.
    assert _kpi(page, "contacts") == "2"
    assert _kpi(page, "conversations") == "1"
    assert _kpi(page, "messages") == "37 / 23"
    assert _kpi(page, "completion") == "60%"  # 3 of 5 sessions
    expect(chart.locator("[data-testid=volume-bar-sent]")).to_have_count(7)
    heights = [
        float(h or 0)
        for h in chart.locator("[data-testid=volume-bar-sent]").evaluate_all(
            "els => els.map(e => e.getAttribute('height'))"
        )
    ]
    assert heights.index(max(heights)) == 5 and all(h > 0 for h in heights)  # 9 sent, 1 day ago
    # Every fifth message of a day failed: 4 of the 37.
    expect(page.get_by_test_id("funnel-failed")).to_have_text(re.compile(r"Failed\s*4\s*10\.8%"))
    expect(page.get_by_test_id("dropoff-node")).to_have_count(4)
    expect(page.get_by_test_id("dropoff-node").first).to_contain_text("Hola")
    expect(page.get_by_test_id("top-flow-row")).to_have_count(2)
    expect(page.get_by_test_id("top-flow-row").first).to_contain_text("Pedidos")
    page.get_by_test_id("overview-metrics").scroll_into_view_if_needed()
    screenshot(page, "overview-01-week")
    page.set_viewport_size({"width": 1366, "height": 1700})
    screenshot(page, "overview-02-full")

    page.get_by_test_id("period-30").click()
    expect(chart.locator("[data-testid=volume-bar-sent]")).to_have_count(30)
    expect(page.get_by_test_id("kpi-contacts")).to_contain_text("2 new in the period")
    page.set_viewport_size({"width": 1366, "height": 860})

    page.keyboard.press("Control+k")
    palette = page.get_by_test_id("command-palette")
    expect(palette).to_be_visible()
    page.get_by_test_id("search-input").fill("ana p")
    expect(palette.get_by_test_id("search-group-contacts")).to_be_visible()
    expect(palette.get_by_test_id("search-group-conversations")).to_contain_text("sin gluten")
    screenshot(page, "overview-03-palette")
    page.keyboard.press("Enter")  # the first hit: the contact
    expect(page).to_have_url(re.compile(f"/inbox/{ana}$"))
    expect(palette).to_be_hidden()
    expect(page.get_by_text("Ana Pérez").first).to_be_visible()
    screenshot(page, "overview-04-landed")
