import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { MessageTemplate } from "../../../api/types";
import { routes } from "../../../router";
import { mockFetch, ownerSession, renderRoutes } from "../../../test/utils";
import { toRequest, EMPTY_DRAFT } from "./CreateTemplateForm";

const PATH = "/settings/templates";

const base: MessageTemplate = {
  id: "t1",
  account_id: "a1",
  waba_id: "w1",
  meta_template_id: "111",
  name: "abandoned_cart",
  language: "en",
  category: "MARKETING",
  status: "REJECTED",
  rejected_reason: "INVALID_FORMAT — Your template has parameters placed next to each other",
  parameter_format: "positional",
  components: [{ type: "BODY", text: "Hi {{1}}{{2}}" }],
  parameters: [],
  last_synced_at: null,
  created_at: "2026-12-04T10:00:00Z",
  updated_at: "2026-12-04T10:00:00Z",
};
const approved: MessageTemplate = { ...base, id: "t2", name: "hello_world", status: "APPROVED", rejected_reason: null };

describe("settings: templates", () => {
  it("lists templates with status badges and Meta's rejection reason, and syncs", async () => {
    const { calls } = mockFetch([
      { path: "/api/templates", body: { templates: [base, approved] } },
      { method: "POST", path: "/api/templates/sync", body: { added: 2, updated: 1, removed: 0, unchanged: 0, accounts: 1 } },
    ]);
    renderRoutes(routes, { path: PATH, session: ownerSession });
    await waitFor(() => expect(screen.getAllByTestId("template-row")).toHaveLength(2));
    expect(screen.getByTestId("settings-tab-templates")).toHaveAttribute("aria-current", "page");
    const [rejected, ok] = screen.getAllByTestId("template-row");
    expect(within(rejected).getByTestId("template-status")).toHaveTextContent("Rejected");
    expect(within(rejected).getByTestId("template-reason")).toHaveTextContent("INVALID_FORMAT");
    expect(within(ok).getByTestId("template-status")).toHaveTextContent("Approved");
    expect(within(ok).queryByTestId("template-reason")).not.toBeInTheDocument();

    await userEvent.setup().click(screen.getByTestId("templates-sync"));
    expect(await screen.findByText("Synced: 2 added, 1 updated, 0 removed")).toBeInTheDocument();
    expect(calls.some((c) => c.method === "POST" && c.url === "/api/templates/sync")).toBe(true);
  });

  it("creates a template with examples for its placeholders and quick replies", async () => {
    const { calls } = mockFetch([
      { path: "/api/templates", body: { templates: [] } },
      { method: "POST", path: "/api/templates", status: 201, body: { ...approved, name: "order_ready", status: "PENDING" } },
    ]);
    renderRoutes(routes, { path: PATH, session: ownerSession });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("templates-new"));
    await user.type(screen.getByTestId("template-new-name"), "Order Ready");
    await user.type(screen.getByTestId("template-new-body"), "Hi {{{{1}}, order {{{{2}} is ready.");
    const examples = screen.getAllByTestId("template-new-example");
    expect(examples.map((e) => e.dataset.name)).toEqual(["1", "2"]);
    await user.type(examples[0], "Ana");
    await user.type(examples[1], "A-7");
    expect(within(screen.getByTestId("template-create-form")).getByTestId("template-preview-body")).toHaveTextContent(
      "Hi Ana, order A-7 is ready.",
    );
    await user.click(screen.getByTestId("template-new-add-button"));
    await user.type(screen.getByTestId("template-new-button"), "Thanks");
    await user.click(screen.getByTestId("template-create"));
    await screen.findByText("Template order_ready submitted for review");
    const post = calls.find((c) => c.method === "POST" && c.url === "/api/templates");
    expect(post?.body).toEqual({
      name: "order_ready",
      category: "UTILITY",
      language: "en_US",
      components: [
        { type: "BODY", text: "Hi {{1}}, order {{2}} is ready.", example: { body_text: [["Ana", "A-7"]] } },
        { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Thanks" }] },
      ],
    });
  });

  it("writes named examples in Meta's named shape", () => {
    const request = toRequest({ ...EMPTY_DRAFT, name: "x", body: "Hi {{first_name}}", examples: { first_name: "Ana" } });
    expect(request.components[0]).toEqual({
      type: "BODY",
      text: "Hi {{first_name}}",
      example: { body_text_named_params: [{ param_name: "first_name", example: "Ana" }] },
    });
  });
});
