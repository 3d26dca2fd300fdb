import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { Contact, TimelineItem } from "../../api/types";
import { routes } from "../../router";
import { ownerSession, renderRoutes } from "../../test/utils";
import { contact, paramsOf, reply, stubApi, type Handler } from "./testing";

const DEFINITIONS = {
  attributes: [
    { id: "a1", key: "age", label: "Age", type: "number", created_at: "2026-11-01T10:00:00Z" },
    { id: "a2", key: "birthday", label: "Birthday", type: "date", created_at: "2026-11-01T10:00:00Z" },
    { id: "a3", key: "vip", label: "VIP", type: "boolean", created_at: "2026-11-01T10:00:00Z" },
    { id: "a4", key: "city", label: "City", type: "text", created_at: "2026-11-01T10:00:00Z" },
  ],
};

const ana = contact(1, {
  name: "Ana",
  tags: ["vip"],
  attributes: { age: 34, vip: true, city: "Rosario", source: "flow" },
});

const item = (n: number, extra: Partial<TimelineItem> = {}): TimelineItem => ({
  id: `m${n}`,
  kind: "message",
  event: "inbound",
  at: `2026-11-${String(28 - n).padStart(2, "0")}T10:00:00Z`,
  text: `mensaje ${n}`,
  ...extra,
});

function contactApi(current: Contact, extra: Handler[] = []) {
  return stubApi([
    ...extra,
    { path: "/api/contacts/c1", respond: () => current },
    { path: "/api/contact-attributes", respond: () => DEFINITIONS },
    { path: "/api/tags", respond: () => ({ tags: [] }) },
    {
      path: "/api/contacts/c1/timeline",
      respond: (url) =>
        paramsOf(url).get("cursor") === "p2"
          ? { items: [item(3, { kind: "opt", event: "opt_in", source: "keyword", detail: "START", text: null })], next_cursor: null }
          : {
              items: [item(1), item(2, { kind: "flow", event: "started", flow_name: "Bienvenida", text: null })],
              next_cursor: "p2",
            },
    },
  ]);
}

describe("contact page", () => {
  it("has a form control per attribute type, plus flow-written keys as text", async () => {
    contactApi(ana);
    renderRoutes(routes, { path: "/contacts/c1", session: ownerSession });
    expect(await screen.findByTestId("contact-title")).toHaveTextContent("Ana");
    const age = await screen.findByTestId("attribute-age");
    expect(age).toHaveAttribute("type", "number");
    expect(age).toHaveValue(34);
    expect(screen.getByTestId("attribute-birthday")).toHaveAttribute("type", "date");
    expect(screen.getByTestId("attribute-birthday")).toHaveValue("");
    const vip = screen.getByTestId("attribute-vip");
    expect(vip.tagName).toBe("SELECT");
    expect(vip).toHaveValue("true");
    expect(screen.getByTestId("attribute-city")).toHaveAttribute("type", "text");
    expect(screen.getByTestId("attribute-city")).toHaveValue("Rosario");
    // A key no definition describes is shown as text.
    expect(screen.getByTestId("attribute-source")).toHaveValue("flow");
    expect(screen.getByText("Written by a flow as source (text)")).toBeInTheDocument();
    expect(screen.getByTestId("contact-open-inbox")).toHaveAttribute("href", "/inbox/c1");
  });

  it("sends only the changed attributes and shows the server's 422 on the field", async () => {
    const { calls } = contactApi(ana, [
      {
        method: "PATCH",
        path: "/api/contacts/c1",
        respond: (_url, body) =>
          (body as { attributes: Record<string, unknown> }).attributes.age === "1e16"
            ? reply(422, {
                error: "attributes.age: is a number attribute: must be finite and within ±1e+15",
                fields: { "attributes.age": "is a number attribute: must be finite and within ±1e+15" },
              })
            : { ...ana, attributes: { ...ana.attributes, age: 41, birthday: "1991-03-02", vip: false } },
      },
    ]);
    renderRoutes(routes, { path: "/contacts/c1", session: ownerSession });
    const user = userEvent.setup();
    const age = await screen.findByTestId("attribute-age");
    expect(screen.getByTestId("attributes-save")).toBeDisabled();
    await user.clear(age);
    await user.type(age, "1e16");
    await user.click(screen.getByTestId("attributes-save"));
    expect(await screen.findByTestId("field-error-attributes.age")).toHaveTextContent("must be finite and within ±1e+15");
    expect(age).toHaveAttribute("aria-invalid", "true");

    await user.clear(age);
    await user.type(age, "41");
    expect(screen.queryByTestId("field-error-attributes.age")).not.toBeInTheDocument();
    await user.type(screen.getByTestId("attribute-birthday"), "1991-03-02");
    await user.selectOptions(screen.getByTestId("attribute-vip"), "false");
    await user.clear(screen.getByTestId("attribute-city"));
    await user.click(screen.getByTestId("attributes-save"));
    await waitFor(() => expect(calls.filter((c) => c.method === "PATCH")).toHaveLength(2));
    expect(calls.filter((c) => c.method === "PATCH").at(-1)?.body).toEqual({
      attributes: { age: "41", birthday: "1991-03-02", vip: false, city: null },
    });
  });

  it("shows the timeline newest first and loads more by cursor", async () => {
    const { calls } = contactApi(ana);
    renderRoutes(routes, { path: "/contacts/c1", session: ownerSession });
    await waitFor(() => expect(screen.getAllByTestId("timeline-item")).toHaveLength(2));
    const [first, second] = screen.getAllByTestId("timeline-item");
    expect(first).toHaveTextContent("Message received");
    expect(first).toHaveTextContent("mensaje 1");
    expect(second).toHaveTextContent("Flow started");
    expect(second).toHaveTextContent("Bienvenida");
    await userEvent.setup().click(screen.getByTestId("timeline-more"));
    await waitFor(() => expect(screen.getAllByTestId("timeline-item")).toHaveLength(3));
    expect(screen.getAllByTestId("timeline-item")[2]).toHaveTextContent("Opted back in");
    expect(screen.getAllByTestId("timeline-item")[2]).toHaveTextContent("by keyword · START");
    expect(screen.queryByTestId("timeline-more")).not.toBeInTheDocument();
    expect(calls.some((c) => c.url === "/api/contacts/c1/timeline?cursor=p2")).toBe(true);
  });

  it("opts the contact out with the toggle, and edits tags", async () => {
    let current = ana;
    const { calls } = contactApi(ana, [
      {
        method: "PATCH",
        path: "/api/contacts/c1",
        respond: (_url, body) => {
          const patch = body as { opted_out?: boolean; tags?: string[] };
          current = {
            ...current,
            ...(patch.tags ? { tags: patch.tags } : {}),
            ...(patch.opted_out !== undefined ? { opted_out: patch.opted_out, opted_out_at: "2026-11-29T10:00:00Z" } : {}),
          };
          return current;
        },
      },
    ]);
    renderRoutes(routes, { path: "/contacts/c1", session: ownerSession });
    const user = userEvent.setup();
    const toggle = await screen.findByTestId("contact-opt-toggle");
    expect(toggle).toHaveAttribute("aria-checked", "true");
    await user.click(toggle);
    await waitFor(() => expect(toggle).toHaveAttribute("aria-checked", "false"));
    expect(screen.getByTestId("contact-opt-state")).toHaveTextContent("Opted out on");
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ opted_out: true });

    await user.type(screen.getByTestId("contact-tags"), "lead{Enter}");
    await waitFor(() => expect(screen.getAllByTestId("contact-tags-chip")).toHaveLength(2));
    const vipChip = screen.getAllByTestId("contact-tags-chip")[0];
    await user.click(within(vipChip).getByTestId("contact-tags-remove"));
    await waitFor(() => expect(screen.getAllByTestId("contact-tags-chip").map((c) => c.dataset.value)).toEqual(["lead"]));
    expect(calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([
      { opted_out: true },
      { tags: ["vip", "lead"] },
      { tags: ["lead"] },
    ]);
  });

  it("shows a duplicate phone (409) on the phone field", async () => {
    contactApi(ana, [
      {
        method: "PATCH",
        path: "/api/contacts/c1",
        respond: () =>
          reply(409, { error: "phone: +5491100000002 is already the contact Beto", fields: { phone: "duplicate" }, contact_id: "c2" }),
      },
    ]);
    renderRoutes(routes, { path: "/contacts/c1", session: ownerSession });
    const user = userEvent.setup();
    const phone = await screen.findByTestId("contact-phone");
    await user.clear(phone);
    await user.type(phone, "+5491100000002");
    await user.click(screen.getByTestId("contact-save"));
    expect(await screen.findByTestId("field-error-phone")).toHaveTextContent("+5491100000002 is already the contact Beto");
  });
});
