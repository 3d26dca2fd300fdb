import { describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { MessageTemplate, TemplateSend } from "../../api/types";
import { mockFetch, ownerSession, renderElement } from "../../test/utils";
import { TemplatePicker } from "./TemplatePicker";
import { renderPreview, templateSendBody } from "./render";

const LIST = "/api/templates?status=APPROVED";

const orderShipped: MessageTemplate = {
  id: "t1",
  account_id: "a1",
  waba_id: "w1",
  meta_template_id: "111",
  name: "order_shipped",
  language: "en_US",
  category: "UTILITY",
  status: "APPROVED",
  rejected_reason: null,
  parameter_format: "positional",
  components: [
    { type: "HEADER", format: "TEXT", text: "Order {{1}}" },
    { type: "BODY", text: "Hi {{1}}, your order ships on {{2}}." },
    { type: "FOOTER", text: "Reply STOP to opt out" },
    {
      type: "BUTTONS",
      buttons: [
        { type: "URL", text: "Track", url: "https://shop.example/track/{{1}}" },
        { type: "QUICK_REPLY", text: "Talk to us" },
      ],
    },
  ],
  parameters: [
    { key: "header.1", component: "header", name: "1", type: "text", example: "A-100" },
    { key: "body.1", component: "body", name: "1", type: "text", example: "Ana" },
    { key: "body.2", component: "body", name: "2", type: "text", example: "Monday" },
    { key: "button.0", component: "button", name: "0", type: "text", example: "https://shop.example/track/A-100" },
  ],
  last_synced_at: "2026-12-04T10:00:00Z",
  created_at: "2026-12-04T10:00:00Z",
  updated_at: "2026-12-04T10:00:00Z",
};

const welcome: MessageTemplate = {
  ...orderShipped,
  id: "t2",
  name: "welcome",
  language: "es",
  components: [{ type: "BODY", text: "¡Hola! Gracias por escribirnos." }],
  parameters: [],
};

const stub: MessageTemplate = { ...welcome, id: "t3", name: "made_elsewhere", components: [] };

function open(onSend = vi.fn<(t: TemplateSend) => void>()) {
  renderElement(<TemplatePicker onSend={onSend} sending={false} />, { session: ownerSession });
  return onSend;
}

describe("template picker", () => {
  it("lists approved templates with content and filters them by name", async () => {
    mockFetch([{ path: LIST, body: { templates: [orderShipped, welcome, stub] } }]);
    open();
    const user = userEvent.setup();
    await user.click(screen.getByTestId("template-picker-open"));
    await waitFor(() => expect(screen.getAllByTestId("template-option")).toHaveLength(2));
    expect(screen.getAllByTestId("template-option").map((o) => o.dataset.name)).toEqual(["order_shipped", "welcome"]);
    await user.type(screen.getByTestId("template-search"), "WEL");
    expect(screen.getAllByTestId("template-option").map((o) => o.dataset.name)).toEqual(["welcome"]);
  });

  it("asks for each parameter by its placeholder, previews live and sends the keyed values", async () => {
    mockFetch([{ path: LIST, body: { templates: [orderShipped, welcome] } }]);
    const onSend = open();
    const user = userEvent.setup();
    await user.click(screen.getByTestId("template-picker-open"));
    await user.click(await screen.findByText("order_shipped"));

    const fields = screen.getAllByTestId("template-param");
    expect(fields.map((f) => f.dataset.key)).toEqual(["header.1", "body.1", "body.2", "button.0"]);
    expect(screen.getByLabelText("Body {{2}}")).toHaveAttribute("placeholder", "Monday");
    expect(screen.getByLabelText("End of the “Track” button's link")).toBeInTheDocument();
    const preview = screen.getByTestId("template-preview");
    expect(within(preview).getByTestId("template-preview-body")).toHaveTextContent("Hi {{1}}, your order ships on {{2}}.");
    expect(screen.getByTestId("template-send")).toBeDisabled();
    expect(screen.getByTestId("template-missing")).toHaveTextContent("Fill in 4 more fields to send.");

    await user.type(screen.getByLabelText("Header {{1}}"), "A-7");
    await user.type(screen.getByLabelText("Body {{1}}"), "Ana");
    expect(within(preview).getByTestId("template-preview-header")).toHaveTextContent("Order A-7");
    expect(within(preview).getByTestId("template-preview-body")).toHaveTextContent("Hi Ana, your order ships on {{2}}.");
    expect(screen.getByTestId("template-missing")).toHaveTextContent("Fill in 2 more fields to send.");
    await user.type(screen.getByLabelText("Body {{2}}"), "Friday");
    await user.type(screen.getByLabelText("End of the “Track” button's link"), "A-7");
    expect(within(preview).getByTestId("template-preview-footer")).toHaveTextContent("Reply STOP to opt out");
    expect(within(preview).getAllByTestId("template-preview-button").map((b) => b.textContent)).toEqual([
      "Track",
      "Talk to us",
    ]);
    expect(within(preview).getAllByTestId("template-preview-button")[0]).toHaveAttribute(
      "title",
      "https://shop.example/track/A-7",
    );

    await user.click(screen.getByTestId("template-send"));
    expect(onSend).toHaveBeenCalledWith({
      name: "order_shipped",
      language: "en_US",
      parameters: { "header.1": "A-7", "body.1": "Ana", "body.2": "Friday", "button.0": "A-7" },
    });
    expect(screen.queryByTestId("template-picker")).not.toBeInTheDocument();
  });

  it("sends a template without variables as name and language only", async () => {
    mockFetch([{ path: LIST, body: { templates: [welcome] } }]);
    const onSend = open();
    const user = userEvent.setup();
    await user.click(screen.getByTestId("template-picker-open"));
    await user.click(await screen.findByText("welcome"));
    expect(screen.queryAllByTestId("template-param")).toHaveLength(0);
    await user.click(screen.getByTestId("template-send"));
    expect(onSend).toHaveBeenCalledWith({ name: "welcome", language: "es" });
  });

  it("falls back to naming a template by hand when none is synced", async () => {
    mockFetch([{ path: LIST, body: { templates: [stub] } }]);
    const onSend = open();
    const user = userEvent.setup();
    await user.click(screen.getByTestId("template-picker-open"));
    expect(await screen.findByTestId("template-none-synced")).toBeInTheDocument();
    await user.clear(screen.getByTestId("template-name"));
    await user.type(screen.getByTestId("template-name"), "order_update");
    await user.click(screen.getByTestId("template-send"));
    expect(onSend).toHaveBeenCalledWith({ name: "order_update", language: "en_US" });
  });
});

describe("template rendering", () => {
  it("fills named placeholders and keeps unfilled ones visible", () => {
    const named = { components: [{ type: "BODY", text: "Hi {{first_name}}, code {{code}}" }] };
    expect(renderPreview(named, { "body.first_name": "Bo" }).body).toBe("Hi Bo, code {{code}}");
  });

  it("trims values in the send body", () => {
    const body = templateSendBody(orderShipped, { "header.1": " A-7 ", "body.1": "Ana", "body.2": "x", "button.0": "7" });
    expect(body.parameters?.["header.1"]).toBe("A-7");
  });
});
