import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { WhatsAppAccount } from "../../../api/types";
import { routes } from "../../../router";
import { mockFetch, ownerSession, renderRoutes } from "../../../test/utils";
import { buildAccountPayload } from "./WhatsAppAccountForm";

const account: WhatsAppAccount = {
  id: "acc1",
  name: "Support",
  phoneNumberId: "1234567890",
  businessAccountId: "9876543210",
  displayPhoneNumber: "+1 555 010 2030",
  verifyToken: "verify-abc",
  appSecret: "••••••1a2b",
  accessToken: "••••••9z8y",
  phonePin: "",
  hasAppSecret: true,
  hasAccessToken: true,
  hasPhonePin: false,
  sendBudgetPerSecond: 80,
  sandbox: false,
  status: "needs_reconnection",
  statusDetail: null,
  webhookUrl: "https://bot.example.com/webhook/acc1",
  createdAt: "2025-01-01T10:00:00Z",
  updatedAt: "2025-01-01T10:00:00Z",
};

describe("buildAccountPayload", () => {
  it("omits empty secrets and keeps typed ones", () => {
    const body = buildAccountPayload({
      name: " Sales ",
      phoneNumberId: "1",
      businessAccountId: "2",
      displayPhoneNumber: "+34 600",
      verifyToken: "v",
      appSecret: "",
      accessToken: "new-token",
      phonePin: "   ",
      sendBudgetPerSecond: "40",
      sandbox: true,
    });
    expect(body).toEqual({
      name: "Sales",
      phoneNumberId: "1",
      businessAccountId: "2",
      displayPhoneNumber: "+34 600",
      verifyToken: "v",
      accessToken: "new-token",
      sendBudgetPerSecond: 40,
      sandbox: true,
    });
  });
});

describe("WhatsApp settings", () => {
  it("does not send untouched secret fields, and sends a secret once typed", async () => {
    document.cookie = "finnegans_csrf=csrf-1; path=/";
    const { calls } = mockFetch([
      { path: "/api/whatsapp-accounts", body: [account] },
      { method: "PATCH", path: "/api/whatsapp-accounts/acc1", body: { ...account, name: "Support desk" } },
    ]);
    renderRoutes(routes, { path: "/settings/whatsapp", session: ownerSession });
    const user = userEvent.setup();

    const name = await screen.findByTestId("wa-name");
    expect(screen.getByTestId("wa-status")).toHaveTextContent("Needs reconnection");
    expect(screen.getByTestId("wa-app-secret")).toHaveValue("");
    expect(screen.getByTestId("wa-app-secret")).toHaveAttribute(
      "placeholder",
      "••••••1a2b saved — leave blank to keep",
    );
    expect(screen.getByTestId("wa-phone-pin")).toHaveAttribute("placeholder", "Not set");
    expect(screen.getByTestId("webhook-url")).toHaveTextContent("https://bot.example.com/webhook/acc1");

    await user.clear(name);
    await user.type(name, "Support desk");
    await user.click(screen.getByTestId("wa-save"));

    await waitFor(() => expect(calls.filter((c) => c.method === "PATCH")).toHaveLength(1));
    const first = calls.find((c) => c.method === "PATCH")!;
    expect(first.headers["x-csrf-token"]).toBe("csrf-1");
    expect(first.body).toEqual({
      name: "Support desk",
      phoneNumberId: "1234567890",
      businessAccountId: "9876543210",
      displayPhoneNumber: "+1 555 010 2030",
      verifyToken: "verify-abc",
      sendBudgetPerSecond: 80,
      sandbox: false,
    });
    expect(first.body).not.toHaveProperty("appSecret");
    expect(first.body).not.toHaveProperty("accessToken");
    expect(first.body).not.toHaveProperty("phonePin");
    expect(await within(screen.getByTestId("toast")).findByText("Changes saved")).toBeInTheDocument();

    await user.type(screen.getByTestId("wa-access-token"), "EAAG-new-token");
    await user.click(screen.getByTestId("wa-save"));
    await waitFor(() => expect(calls.filter((c) => c.method === "PATCH")).toHaveLength(2));
    const second = calls.filter((c) => c.method === "PATCH")[1];
    expect(second.body).toMatchObject({ accessToken: "EAAG-new-token" });
    expect(second.body).not.toHaveProperty("appSecret");
    expect(second.body).not.toHaveProperty("phonePin");
  });

  it("shows server field errors next to the inputs", async () => {
    mockFetch([
      { path: "/api/whatsapp-accounts", body: [] },
      {
        method: "POST",
        path: "/api/whatsapp-accounts",
        status: 409,
        body: { error: "Phone number id already connected", fields: { phoneNumberId: "already connected" } },
      },
    ]);
    renderRoutes(routes, { path: "/settings/whatsapp", session: ownerSession });
    const user = userEvent.setup();
    expect(await screen.findByTestId("empty-state")).toBeInTheDocument();
    await user.click(screen.getByTestId("wa-add"));
    expect(screen.getByTestId("wa-verify-token")).not.toHaveValue("");
    await user.type(screen.getByTestId("wa-name"), "Sales");
    await user.type(screen.getByTestId("wa-phone-number-id"), "111");
    await user.click(screen.getByTestId("wa-save"));
    expect(await screen.findByTestId("field-error-phoneNumberId")).toHaveTextContent("already connected");
    expect(screen.getByTestId("form-error")).toHaveTextContent("Phone number id already connected");
  });

  it("is read-only for agents", async () => {
    mockFetch([{ path: "/api/whatsapp-accounts", body: [account] }]);
    renderRoutes(routes, { path: "/settings/whatsapp", session: { ...ownerSession, role: "agent" } });
    expect(await screen.findByTestId("wa-name")).toBeDisabled();
    expect(screen.getByTestId("wa-access-token")).toBeDisabled();
    expect(screen.getByTestId("wa-sandbox")).toBeDisabled();
    expect(screen.queryByTestId("wa-save")).not.toBeInTheDocument();
    expect(screen.queryByTestId("wa-delete")).not.toBeInTheDocument();
    expect(screen.queryByTestId("wa-add")).not.toBeInTheDocument();
    expect(screen.getByTestId("read-only-notice")).toBeInTheDocument();
  });
});
