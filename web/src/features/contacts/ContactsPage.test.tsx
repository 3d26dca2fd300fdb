import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { Contact } from "../../api/types";
import { routes } from "../../router";
import { ownerSession, renderRoutes } from "../../test/utils";
import { contact, paramsOf, reply, stubApi, stubLayout, type Handler } from "./testing";

let restore: () => void;
beforeAll(() => {
  restore = stubLayout();
});
afterAll(() => restore());

const TAGS = {
  tags: [
    { id: "t1", name: "vip", color: "#ff0000", contact_count: 2 },
    { id: "t2", name: "lead", color: null, contact_count: 1 },
  ],
};

/** The contacts API over `all`: pages of `pageSize` by a numeric cursor; `tag` and `q` filter. */
function contactsApi(all: Contact[], pageSize = 50, extra: Handler[] = []) {
  const matching = (url: string) => {
    const params = paramsOf(url);
    const tag = params.get("tag");
    const q = params.get("q")?.toLowerCase();
    return all.filter((c) => (!tag || c.tags.includes(tag)) && (!q || (c.name ?? "").toLowerCase().includes(q)));
  };
  return stubApi([
    ...extra,
    { path: "/api/tags", respond: () => TAGS },
    { path: "/api/segments", respond: () => ({ segments: [] }) },
    { path: "/api/contacts/count", respond: (url) => ({ count: matching(url).length }) },
    {
      path: "/api/contacts",
      respond: (url) => {
        const rows = matching(url);
        const start = Number(paramsOf(url).get("cursor") ?? 0);
        const next = start + pageSize < rows.length ? String(start + pageSize) : null;
        return { contacts: rows.slice(start, start + pageSize), next_cursor: next };
      },
    },
  ]);
}

const sixty = Array.from({ length: 60 }, (_, i) =>
  contact(i + 1, {
    tags: i < 2 ? ["vip"] : i === 2 ? ["lead"] : [],
    opted_out: i === 1,
    last_activity_at: i === 0 ? "2026-11-28T10:00:00Z" : null,
  }),
);

const rows = () => screen.queryAllByTestId("contact-row");
const listCalls = (calls: { url: string; method: string }[]) =>
  calls.filter((c) => c.method === "GET" && /^\/api\/contacts\?/.test(c.url));

describe("contacts page", () => {
  it("shows the contacts in a virtualised table with tags, opt-out and the live total", async () => {
    contactsApi(sixty);
    renderRoutes(routes, { path: "/contacts", session: ownerSession });
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    expect(screen.getByTestId("contacts-total")).toHaveTextContent("60 contacts");
    // Only the rows in view (and a few more) are in the DOM, not all 50 loaded.
    expect(rows().length).toBeLessThan(50);
    const first = rows()[0];
    expect(within(first).getByTestId("contact-row-name")).toHaveTextContent("Contact 0001");
    expect(within(first).getByTestId("contact-row-name")).toHaveAttribute("href", "/contacts/c1");
    expect(within(first).getByTestId("contact-row-phone")).toHaveTextContent("+549110000001");
    expect(within(first).getAllByTestId("tag-chip").map((c) => c.dataset.tag)).toEqual(["vip"]);
    expect(within(first).queryByTestId("contact-row-opted-out")).not.toBeInTheDocument();
    expect(within(rows()[1]).getByTestId("contact-row-opted-out")).toHaveTextContent("Opted out");
    expect(first).toHaveTextContent("Nov 28, 2026");
    expect(rows()[2]).toHaveTextContent("Never");
  });

  it("loads the next page by cursor when the end of the loaded rows comes into view", async () => {
    const { calls } = contactsApi(sixty, 20);
    renderRoutes(routes, { path: "/contacts", session: ownerSession });
    // 20 rows and a dozen in view: the next page is asked for straight away, with its cursor.
    await waitFor(() => expect(listCalls(calls).map((c) => paramsOf(c.url).get("cursor"))).toContain("20"));
    const first = paramsOf(listCalls(calls)[0].url);
    expect(first.get("sort")).toBe("updated");
    expect(first.get("order")).toBe("desc");
    expect(first.get("cursor")).toBeNull();
  });

  it("searches after a pause in typing and filters by tag; the count follows", async () => {
    const { calls } = contactsApi(sixty);
    renderRoutes(routes, { path: "/contacts", session: ownerSession });
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    const user = userEvent.setup();
    await user.type(screen.getByTestId("contacts-search"), "0059");
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(rows()[0]).toHaveTextContent("Contact 0059");
    // Debounced: one request for the whole word, none for "0", "00", "005".
    const searched = listCalls(calls).map((c) => paramsOf(c.url).get("q"));
    expect(searched.filter(Boolean)).toEqual(["0059"]);
    expect(screen.getByTestId("contacts-total")).toHaveTextContent("1 contact matches");

    await user.clear(screen.getByTestId("contacts-search"));
    await user.selectOptions(screen.getByTestId("contacts-filter-tag"), "vip");
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(screen.getByTestId("contacts-total")).toHaveTextContent("2 contacts match");
    expect(paramsOf(listCalls(calls).at(-1)!.url).getAll("tag")).toEqual(["vip"]);
  });

  it("bulk-tags the selected rows by id", async () => {
    const { calls } = contactsApi(sixty, 50, [
      { method: "POST", path: "/api/contacts/bulk", respond: () => ({ action: "add_tags", matched: 2 }) },
    ]);
    renderRoutes(routes, { path: "/contacts", session: ownerSession });
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    const user = userEvent.setup();
    await user.click(within(rows()[0]).getByTestId("contact-select"));
    await user.click(within(rows()[2]).getByTestId("contact-select"));
    expect(screen.getByTestId("bulk-count")).toHaveTextContent("2 selected");
    await user.click(screen.getByTestId("bulk-add-tag"));
    const dialog = await screen.findByTestId("bulk-tag-dialog");
    expect(dialog).toHaveTextContent("Add a tag to 2 contacts");
    await user.type(within(dialog).getByTestId("bulk-tag-name"), "black-friday");
    await user.click(within(dialog).getByTestId("bulk-tag-submit"));
    await waitFor(() => expect(screen.queryByTestId("bulk-bar")).not.toBeInTheDocument());
    expect(calls.filter((c) => c.method === "POST").map((c) => c.body)).toEqual([
      { action: "add_tags", ids: ["c1", "c3"], tags: ["black-friday"] },
    ]);
    expect(await screen.findByText("Tag added to 2 contacts")).toBeInTheDocument();
  });

  it("selects all matching contacts and acts on the filter, with a confirmation saying how many", async () => {
    const { calls } = contactsApi(sixty, 50, [
      { method: "POST", path: "/api/contacts/bulk", respond: () => ({ action: "delete", matched: 60 }) },
    ]);
    renderRoutes(routes, { path: "/contacts", session: ownerSession });
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    const user = userEvent.setup();
    await user.selectOptions(screen.getByTestId("contacts-filter-opted-out"), "false");
    await waitFor(() => expect(paramsOf(listCalls(calls).at(-1)!.url).get("opted_out")).toBe("false"));
    await user.click(screen.getByTestId("contacts-select-loaded"));
    expect(screen.getByTestId("bulk-count")).toHaveTextContent("50 selected");
    expect(screen.getByTestId("select-all-banner")).toHaveTextContent("All 50 loaded contacts are selected.");
    await user.click(screen.getByTestId("select-all-matching"));
    expect(screen.getByTestId("bulk-count")).toHaveTextContent("60 selected");
    expect(screen.getByTestId("bulk-export")).toHaveAttribute("href", "/api/contacts/export?opted_out=false");

    await user.click(screen.getByTestId("bulk-delete"));
    const dialog = await screen.findByTestId("confirm-dialog");
    expect(dialog).toHaveTextContent("Delete 60 contacts?");
    expect(within(dialog).getByTestId("confirm-accept")).toHaveTextContent("Delete 60 contacts");
    await user.click(within(dialog).getByTestId("confirm-accept"));
    await waitFor(() => expect(calls.some((c) => c.method === "POST")).toBe(true));
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ action: "delete", filter: { opted_out: false } });
  });

  it("agents get no bulk delete", async () => {
    contactsApi(sixty);
    renderRoutes(routes, { path: "/contacts", session: { ...ownerSession, role: "agent" } });
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    await userEvent.setup().click(within(rows()[0]).getByTestId("contact-select"));
    expect(screen.getByTestId("bulk-opt-out")).toBeInTheDocument();
    expect(screen.queryByTestId("bulk-delete")).not.toBeInTheDocument();
  });

  it("saves the filters as a segment with a live count", async () => {
    const { calls } = contactsApi(sixty, 50, [
      { method: "POST", path: "/api/segments/preview", respond: () => ({ count: 2 }) },
      {
        method: "POST",
        path: "/api/segments",
        status: 201,
        respond: () => ({ id: "s1", name: "VIPs activos", rules: { match: "all", conditions: [] }, created_at: "", updated_at: "" }),
      },
    ]);
    renderRoutes(routes, { path: "/contacts", session: ownerSession });
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    const user = userEvent.setup();
    expect(screen.getByTestId("segment-save-open")).toBeDisabled();
    await user.selectOptions(screen.getByTestId("contacts-filter-tag"), "vip");
    await user.selectOptions(screen.getByTestId("contacts-filter-active"), "30");
    await user.click(screen.getByTestId("segment-save-open"));
    const dialog = await screen.findByTestId("save-segment-dialog");
    expect(await within(dialog).findByText("2 contacts match right now.")).toBeInTheDocument();
    await user.type(within(dialog).getByTestId("segment-name"), "VIPs activos");
    await user.click(within(dialog).getByTestId("segment-save"));
    await waitFor(() => expect(screen.queryByTestId("save-segment-dialog")).not.toBeInTheDocument());
    const rules = {
      match: "all",
      conditions: [
        { field: "tag", op: "has", value: "vip" },
        { field: "last_activity", op: "within_days", value: 30 },
      ],
    };
    expect(calls.find((c) => c.url === "/api/segments/preview")?.body).toEqual({ rules });
    expect(calls.find((c) => c.method === "POST" && c.url === "/api/segments")?.body).toEqual({ name: "VIPs activos", rules });
  });

  it("shows an empty state for a workspace without contacts", async () => {
    contactsApi([]);
    renderRoutes(routes, { path: "/contacts", session: ownerSession });
    expect(await screen.findByTestId("empty-state")).toHaveTextContent("No contacts yet");
    expect(screen.getByTestId("contacts-import")).toHaveAttribute("href", "/contacts/import");
  });

  it("creating a contact shows the server's 409 and 400 messages next to the fields", async () => {
    const answers = [
      {
        status: 409,
        body: { error: "phone: +5491100000001 is already the contact Contact 0001", fields: { phone: "duplicate" }, contact_id: "c1" },
      },
      {
        status: 400,
        body: { error: "Validation failed: name: String should have at most 255 characters", fields: { name: "String should have at most 255 characters" } },
      },
    ];
    const { calls } = contactsApi(sixty, 50, [
      {
        method: "POST",
        path: "/api/contacts",
        respond: () => {
          const answer = answers.shift()!;
          return reply(answer.status, answer.body);
        },
      },
    ]);
    renderRoutes(routes, { path: "/contacts", session: ownerSession });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("contacts-new"));
    const dialog = await screen.findByTestId("new-contact-dialog");
    await user.type(within(dialog).getByTestId("new-contact-name"), "Ana");
    await user.type(within(dialog).getByTestId("new-contact-phone"), "+54 9 11 0000 0001");
    await user.type(within(dialog).getByTestId("new-contact-tags"), "vip{Enter}");
    await user.click(within(dialog).getByTestId("new-contact-submit"));
    expect(await within(dialog).findByTestId("field-error-phone")).toHaveTextContent(
      "+5491100000001 is already the contact Contact 0001",
    );
    expect(within(dialog).getByTestId("new-contact-phone")).toHaveAttribute("aria-invalid", "true");
    expect(within(dialog).queryByTestId("form-error")).not.toBeInTheDocument();
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ phone: "+54 9 11 0000 0001", name: "Ana", tags: ["vip"] });

    await user.type(within(dialog).getByTestId("new-contact-phone"), "2");
    expect(within(dialog).queryByTestId("field-error-phone")).not.toBeInTheDocument();
    await user.click(within(dialog).getByTestId("new-contact-submit"));
    expect(await within(dialog).findByTestId("field-error-name")).toHaveTextContent("at most 255 characters");
  });
});
