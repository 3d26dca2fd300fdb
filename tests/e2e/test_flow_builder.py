"""In a real browser: build a five-node flow with the mouse, publish it, and chat with it in the
builder's simulator and in the phone simulator (through the sandbox number)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import screenshot


def login(page: Page) -> None:
    page.goto("/login")
    page.get_by_test_id("login-email").fill("demo@finnegans.local")
    page.get_by_test_id("login-password").fill("finnegans-demo")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("app-shell")).to_be_visible()


def node(page: Page, node_type: str, nth: int = 0) -> Locator:
    """The React Flow wrapper of the nth node of a type (it holds the handles)."""
    return (
        page.locator(".react-flow__node")
        .filter(has=page.locator(f'[data-testid="flow-node"][data-node-type="{node_type}"]'))
        .nth(nth)
    )


def drop(page: Page, node_type: str, x: float, y: float) -> None:
    """Drag a palette item onto the canvas at (x, y) relative to the canvas."""
    page.get_by_test_id(f"palette-{node_type}").drag_to(
        page.get_by_test_id("flow-canvas"), target_position={"x": x, "y": y}
    )


def connect(page: Page, source: Locator, target: Locator) -> None:
    """Press on a source handle, move to a target handle, release: a new edge."""
    start = source.bounding_box()
    end = target.bounding_box()
    assert start is not None and end is not None
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    page.mouse.up()


def test_build_publish_and_chat_with_a_flow(page: Page) -> None:
    page.set_viewport_size({"width": 1600, "height": 1000})
    login(page)
    page.goto("/flows")
    page.get_by_test_id("flows-create").click()
    page.get_by_test_id("flow-create-name").fill("Pizza order")
    page.get_by_test_id("flow-create-submit").click()
    expect(page.get_by_test_id("flow-canvas")).to_be_visible()
    edges = page.locator(".react-flow__edge")
    expect(edges).to_have_count(1)  # the starter: a trigger connected to a message

    # 1-2: the starter trigger and message, filled in through the inspector.
    node(page, "trigger").click()
    keyword = page.get_by_test_id("inspector-keywords-0")
    keyword.fill("pizza")
    node(page, "message").click()
    page.get_by_test_id("inspector-text").fill("Welcome to Pizza Finnegans!")

    # 3-5: an options node, a message and an end node, dragged from the palette.
    drop(page, "options", 420, 520)
    node(page, "options").click()
    page.get_by_test_id("inspector-text").fill("Which pizza would you like?")
    page.get_by_test_id("inspector-options-0").fill("Margherita")
    page.get_by_test_id("inspector-options-1").fill("Pepperoni")
    drop(page, "message", 300, 800)
    node(page, "message", 1).click()
    page.get_by_test_id("inspector-text").fill("Great choice: {{input}} is on its way 🍕")
    drop(page, "end", 760, 800)
    expect(page.get_by_test_id("flow-node")).to_have_count(5)
    # Tidy up before wiring: auto-layout, then fit the graph in view.
    page.get_by_test_id("flow-layout").click()
    page.get_by_test_id("flow-fit").click()
    page.wait_for_timeout(500)

    # Connect with the mouse: message → options, Margherita → message, Pepperoni → end,
    # message → end.
    connect(
        page,
        node(page, "message").locator(".flow-handle-default"),
        node(page, "options").locator(".flow-handle-target"),
    )
    options_exit = node(page, "options").locator('[data-testid="node-exit"]')
    connect(
        page,
        options_exit.filter(has_text="Margherita").locator(".react-flow__handle"),
        node(page, "message", 1).locator(".flow-handle-target"),
    )
    connect(
        page,
        options_exit.filter(has_text="Pepperoni").locator(".react-flow__handle"),
        node(page, "end").locator(".flow-handle-target"),
    )
    connect(
        page,
        node(page, "message", 1).locator(".flow-handle-default"),
        node(page, "end").locator(".flow-handle-target"),
    )
    page.wait_for_timeout(300)
    screenshot(page, "20-flow-builder-built")
    expect(edges).to_have_count(5)
    expect(page.get_by_test_id("flow-save-status")).to_have_attribute(
        "data-state", "saved", timeout=15_000
    )
    screenshot(page, "20-flow-builder-built")

    page.get_by_test_id("flow-publish").click()
    expect(page.get_by_test_id("flow-status")).to_contain_text("Active", timeout=10_000)

    # The builder's simulator: the real engine, buttons clickable.
    page.get_by_test_id("flow-simulator-toggle").click()
    page.get_by_test_id("simulator-input").fill("I want a pizza")
    page.get_by_test_id("simulator-send").click()
    chat = page.get_by_test_id("simulator-chat")
    expect(chat).to_contain_text("Welcome to Pizza Finnegans!")
    expect(chat).to_contain_text("Which pizza would you like?")
    chat.get_by_test_id("sim-reply-button").filter(has_text="Margherita").click()
    expect(chat).to_contain_text("Great choice: Margherita is on its way 🍕")
    expect(page.get_by_test_id("simulator-status")).to_have_attribute("data-status", "completed")
    screenshot(page, "21-flow-builder-simulator")

    # The phone simulator: a customer writes to the sandbox number; the live flow answers.
    page.goto("/simulator")
    page.get_by_test_id("sim-new-customer-name").fill("Marta")
    page.get_by_test_id("sim-new-customer-submit").click()
    # Earlier tests leave customers on the demo number: type only once Marta's chat is the one
    # on screen (switching chats clears the composer).
    expect(page.get_by_test_id("sim-chat")).to_contain_text("Marta")
    page.get_by_test_id("sim-input").fill("pizza please")
    page.get_by_test_id("sim-send").click()
    outbound = page.locator('[data-testid="sim-message"][data-direction="outbound"]')
    expect(outbound.filter(has_text="Welcome to Pizza Finnegans!")).to_have_count(1, timeout=15_000)
    expect(outbound.filter(has_text="Which pizza would you like?")).to_have_count(1)
    page.get_by_test_id("sim-reply-button").filter(has_text="Pepperoni").last.click()
    page.get_by_test_id("sim-input").fill("thanks")  # nothing matches: the flow has ended
    page.get_by_test_id("sim-send").click()
    expect(page.locator('[data-testid="sim-message"][data-direction="inbound"]')).to_have_count(3)
    screenshot(page, "22-phone-simulator-flow")
    expect(outbound).to_have_count(2)
