import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { SandboxConversation, SandboxCustomer, WhatsAppAccount } from "../../api/types";
import { routes } from "../../router";
import { mockFetch, ownerSession, renderRoutes, type MockRoute } from "../../test/utils";

const account: WhatsAppAccount = {
  id: "acc1",
  name: "Acme Bot",
  phoneNumberId: "1000001",
  businessAccountId: "2000002",
  displayPhoneNumber: "+1 555 000 0001",
  verifyToken: "v",
  appSecret: "",
  accessToken: "",
  phonePin: "",
  hasAppSecret: false,
  hasAccessToken: false,
  hasPhonePin: false,
  sendBudgetPerSecond: 80,
  sandbox: true,
  status: "sandbox",
  statusDetail: null,
  webhookUrl: "https://bot.example.com/webhook/acc1",
  createdAt: "2025-01-01T10:00:00Z",
  updatedAt: "2025-01-01T10:00:00Z",
};

const WA = "5491100000001";
const customers: SandboxCustomer[] = [
  { waId: WA, profileName: "Juana Pérez" },
  { waId: "5491100000002", profileName: null },
];

const ts = 1_735_725_600; // 2025-01-01 10:00 UTC

const conversation: SandboxConversation = {
  windowOpen: true,
  messages: [
    {
      wamid: "in-1",
      direction: "inbound",
      type: "text",
      payload: { type: "text", text: { body: "hola" } },
      timestamp: ts,
      status: "read",
    },
    {
      wamid: "out-text",
      direction: "outbound",
      type: "text",
      payload: { messaging_product: "whatsapp", to: WA, type: "text", text: { body: "Hi Juana!" } },
      timestamp: ts + 1,
      status: "sent",
    },
    {
      wamid: "out-buttons",
      direction: "outbound",
      type: "interactive",
      payload: {
        type: "interactive",
        interactive: {
          type: "button",
          body: { text: "Do you want a demo?" },
          action: {
            buttons: [
              { type: "reply", reply: { id: "b-yes", title: "Yes" } },
              { type: "reply", reply: { id: "b-no", title: "No" } },
            ],
          },
        },
      },
      timestamp: ts + 2,
      status: "delivered",
    },
    {
      wamid: "out-list",
      direction: "outbound",
      type: "interactive",
      payload: {
        type: "interactive",
        interactive: {
          type: "list",
          body: { text: "Pick a plan" },
          action: {
            button: "See plans",
            sections: [
              {
                title: "Plans",
                rows: [
                  { id: "r-basic", title: "Basic", description: "For starters" },
                  { id: "r-pro", title: "Pro" },
                ],
              },
            ],
          },
        },
      },
      timestamp: ts + 3,
      status: "read",
    },
    {
      wamid: "out-image",
      direction: "outbound",
      type: "image",
      payload: { type: "image", image: { id: "media-42", caption: "Our office" } },
      timestamp: ts + 4,
      status: "failed",
      statuses: [
        { status: "failed", timestamp: ts + 5, errors: [{ code: 131047, title: "Re-engagement message" }] },
      ],
    },
    {
      wamid: "out-link-image",
      direction: "outbound",
      type: "image",
      payload: { type: "image", image: { link: "https://cdn.example.com/cat.png" } },
      timestamp: ts + 5,
      status: "sent",
    },
    {
      wamid: "out-tpl-rendered",
      direction: "outbound",
      type: "template",
      payload: { type: "template", template: { name: "welcome", language: { code: "en" } } },
      template: { header: null, body: "Welcome aboard, Juana!", footer: "Acme", buttons: [] },
      timestamp: ts + 6,
      status: "delivered",
    },
    {
      wamid: "out-tpl-bare",
      direction: "outbound",
      type: "template",
      payload: { type: "template", template: { name: "order_update", language: { code: "en" } } },
      timestamp: ts + 7,
      status: "accepted",
    },
    {
      wamid: "in-image",
      direction: "inbound",
      type: "image",
      payload: { type: "image", image: { id: "media-in-1", mime_type: "image/png", caption: "my receipt" } },
      timestamp: ts + 8,
      status: "received",
    },
  ],
};

const base = "/api/sandbox/accounts/acc1";

function simulatorRoutes(extra: MockRoute[] = []): MockRoute[] {
  return [
    { path: "/api/whatsapp-accounts", body: [account] },
    { path: `${base}/customers`, body: customers },
    { path: `${base}/customers/${WA}/messages`, body: conversation },
    { method: "POST", path: `${base}/customers/${WA}/messages`, status: 201, body: { wamid: "in-new" } },
    ...extra,
  ];
}

function bubble(wamid: string): HTMLElement {
  const el = screen.getAllByTestId("sim-message").find((m) => m.getAttribute("data-wamid") === wamid);
  if (!el) throw new Error(`no bubble ${wamid}`);
  return el;
}

describe("Phone simulator", () => {
  it("has a nav item after Inbox", async () => {
    mockFetch(simulatorRoutes());
    renderRoutes(routes, { path: "/simulator", session: ownerSession });
    const nav = await screen.findByTestId("nav-simulator");
    expect(nav).toHaveTextContent("Phone simulator");
    expect(nav).toHaveAttribute("href", "/simulator");
    const items = screen.getAllByRole("link").map((a) => a.getAttribute("data-testid")).filter(Boolean);
    expect(items.indexOf("nav-simulator")).toBe(items.indexOf("nav-inbox") + 1);
  });

  it("renders the conversation: text, buttons, list, images, templates and ticks", async () => {
    mockFetch(simulatorRoutes());
    renderRoutes(routes, { path: "/simulator", session: ownerSession });

    await waitFor(() => expect(screen.getAllByTestId("sim-message")).toHaveLength(9));
    expect(screen.getByTestId("sim-business-name")).toHaveTextContent("Acme Bot");
    expect(screen.getAllByTestId("sim-customer")).toHaveLength(2);
    expect(screen.getAllByTestId("sim-customer")[0]).toHaveAttribute("data-wa-id", WA);
    expect(screen.getAllByTestId("sim-customer")[0]).toHaveAttribute("aria-current", "true");
    expect(screen.getByTestId("sim-window")).toHaveAttribute("data-open", "true");

    const inText = bubble("in-1");
    expect(inText).toHaveAttribute("data-direction", "inbound");
    expect(inText).toHaveAttribute("data-type", "text");
    expect(inText).toHaveTextContent("hola");

    const outText = bubble("out-text");
    expect(outText).toHaveAttribute("data-direction", "outbound");
    expect(outText).toHaveTextContent("Hi Juana!");
    expect(within(outText).getByTestId("sim-ticks")).toHaveAttribute("data-status", "sent");

    const buttons = bubble("out-buttons");
    expect(buttons).toHaveAttribute("data-type", "interactive");
    expect(buttons).toHaveTextContent("Do you want a demo?");
    expect(within(buttons).getByTestId("sim-ticks")).toHaveAttribute("data-status", "delivered");
    const replyButtons = screen.getAllByTestId("sim-reply-button");
    expect(replyButtons.map((b) => [b.getAttribute("data-id"), b.textContent])).toEqual([
      ["b-yes", "Yes"],
      ["b-no", "No"],
    ]);

    const list = bubble("out-list");
    expect(list).toHaveTextContent("Pick a plan");
    expect(within(list).getByTestId("sim-ticks")).toHaveAttribute("data-status", "read");
    expect(screen.getByTestId("sim-list-open")).toHaveTextContent("See plans");

    const image = bubble("out-image");
    expect(within(image).getByTestId("sim-image")).toHaveAttribute("src", `${base}/media/media-42`);
    expect(image).toHaveTextContent("Our office");
    const failed = within(image).getByTestId("sim-ticks");
    expect(failed).toHaveAttribute("data-status", "failed");
    expect(failed).toHaveAttribute("title", "Not delivered: Re-engagement message");

    expect(within(bubble("out-link-image")).getByTestId("sim-image")).toHaveAttribute(
      "src",
      "https://cdn.example.com/cat.png",
    );

    const rendered = bubble("out-tpl-rendered");
    expect(rendered).toHaveAttribute("data-type", "template");
    expect(rendered).toHaveTextContent("Welcome aboard, Juana!");
    expect(rendered).not.toHaveTextContent("Template:");
    const bare = bubble("out-tpl-bare");
    expect(bare).toHaveTextContent("Template: order_update");
    expect(within(bare).getByTestId("sim-ticks")).toHaveAttribute("data-status", "accepted");

    const inImage = bubble("in-image");
    expect(inImage).toHaveAttribute("data-direction", "inbound");
    expect(within(inImage).getByTestId("sim-image")).toHaveAttribute("src", `${base}/media/media-in-1`);
    expect(inImage).toHaveTextContent("my receipt");
  });

  it("sends a button_reply when a reply button is tapped, then refetches", async () => {
    document.cookie = "finnegans_csrf=csrf-9; path=/";
    const { calls } = mockFetch(simulatorRoutes());
    renderRoutes(routes, { path: "/simulator", session: ownerSession });
    const user = userEvent.setup();

    const yes = await screen.findByText("Yes");
    const before = calls.filter((c) => c.method === "GET" && c.url.endsWith("/messages")).length;
    await user.click(yes);

    await waitFor(() => expect(calls.filter((c) => c.method === "POST")).toHaveLength(1));
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.url).toBe(`${base}/customers/${WA}/messages`);
    expect(post.headers["x-csrf-token"]).toBe("csrf-9");
    expect(post.body).toEqual({ type: "button_reply", replyTo: "out-buttons", id: "b-yes" });
    await waitFor(() =>
      expect(calls.filter((c) => c.method === "GET" && c.url.endsWith("/messages")).length).toBeGreaterThan(before),
    );
  });

  it("opens a list and sends a list_reply for the picked row", async () => {
    const { calls } = mockFetch(simulatorRoutes());
    renderRoutes(routes, { path: "/simulator", session: ownerSession });
    const user = userEvent.setup();

    await user.click(await screen.findByTestId("sim-list-open"));
    const rows = screen.getAllByTestId("sim-list-row");
    expect(rows.map((r) => r.getAttribute("data-id"))).toEqual(["r-basic", "r-pro"]);
    await user.click(rows[1]);
    await waitFor(() => expect(calls.filter((c) => c.method === "POST")).toHaveLength(1));
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({
      type: "list_reply",
      replyTo: "out-list",
      id: "r-pro",
    });
    expect(screen.queryByTestId("sim-list-row")).not.toBeInTheDocument();
  });

  it("sends text with Enter, a location and an image", async () => {
    const { calls } = mockFetch(simulatorRoutes());
    renderRoutes(routes, { path: "/simulator", session: ownerSession });
    const user = userEvent.setup();
    const posts = () => calls.filter((c) => c.method === "POST");

    const input = await screen.findByTestId("sim-input");
    await user.type(input, "I need help{Enter}");
    await waitFor(() => expect(posts()).toHaveLength(1));
    expect(posts()[0].body).toEqual({ type: "text", text: "I need help" });
    await waitFor(() => expect(input).toHaveValue(""));

    await user.click(screen.getByTestId("sim-send-location"));
    await waitFor(() => expect(posts()).toHaveLength(2));
    expect(posts()[1].body).toMatchObject({ type: "location", latitude: expect.any(Number), longitude: expect.any(Number) });

    const file = new File(["png-bytes"], "receipt.png", { type: "image/png" });
    await user.upload(screen.getByTestId("sim-attach-image"), file);
    await waitFor(() => expect(posts()).toHaveLength(3));
    expect(posts()[2].body).toEqual({ type: "image", mimeType: "image/png", dataBase64: btoa("png-bytes") });
  });

  it("creates a customer and selects it", async () => {
    const created = { waId: "5491199999999", profileName: "Nuevo" };
    const { calls } = mockFetch(
      simulatorRoutes([
        { method: "POST", path: `${base}/customers`, status: 201, body: created },
        { path: `${base}/customers/${created.waId}/messages`, body: { windowOpen: false, messages: [] } },
      ]),
    );
    const { router } = renderRoutes(routes, { path: "/simulator", session: ownerSession });
    const user = userEvent.setup();

    await user.type(await screen.findByTestId("sim-new-customer-name"), "Nuevo");
    await user.click(screen.getByTestId("sim-new-customer-submit"));
    await waitFor(() => expect(calls.some((c) => c.method === "POST" && c.url === `${base}/customers`)).toBe(true));
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({ profileName: "Nuevo" });
    await waitFor(() => expect(router.state.location.search).toContain(`customer=${created.waId}`));
    expect(await screen.findByTestId("sim-no-messages")).toBeInTheDocument();
    expect(screen.getByTestId("sim-window")).toHaveAttribute("data-open", "false");
  });

  it("shows an empty state linking to WhatsApp settings without sandbox numbers", async () => {
    mockFetch([{ path: "/api/whatsapp-accounts", body: [{ ...account, sandbox: false, status: "connected" }] }]);
    renderRoutes(routes, { path: "/simulator", session: ownerSession });
    expect(await screen.findByTestId("empty-state")).toHaveTextContent("No sandbox number yet");
    expect(screen.getByTestId("sim-open-settings")).toHaveAttribute("href", "/settings/whatsapp");
    expect(screen.queryByTestId("sim-phone")).not.toBeInTheDocument();
  });

  it("offers an account picker when there are several sandbox numbers", async () => {
    const other = { ...account, id: "acc2", name: "Second" };
    mockFetch(
      simulatorRoutes([
        { path: "/api/sandbox/accounts/acc2/customers", body: [] },
      ]).map((r) => (r.path === "/api/whatsapp-accounts" ? { ...r, body: [account, other] } : r)),
    );
    renderRoutes(routes, { path: "/simulator", session: ownerSession });
    const user = userEvent.setup();
    const picker = await screen.findByTestId("sim-account");
    await user.selectOptions(picker, "acc2");
    expect(await screen.findByTestId("sim-no-customers")).toBeInTheDocument();
    expect(screen.getByTestId("sim-business-name")).toHaveTextContent("Second");
  });
});
