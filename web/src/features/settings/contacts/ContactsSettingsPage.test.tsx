import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { AttributeDefinition } from "../../../api/types";
import { routes } from "../../../router";
import { ownerSession, renderRoutes } from "../../../test/utils";
import { reply, stubApi, type Handler } from "../../contacts/testing";

const SETTINGS = { default_country: null, opt_out_keywords: ["STOP", "BAJA"], opt_in_keywords: ["START"] };
const TAGS = { tags: [{ id: "t1", name: "vip", color: "#ff0000", contact_count: 12 }] };

function settingsApi(definitions: AttributeDefinition[], extra: Handler[] = []) {
  return stubApi([
    ...extra,
    { path: "/api/contacts/settings", respond: () => SETTINGS },
    { path: "/api/contact-attributes", respond: () => ({ attributes: definitions }) },
    { path: "/api/tags", respond: () => TAGS },
  ]);
}

describe("settings: contacts", () => {
  it("saves the default country and the keywords (chips) in one PUT", async () => {
    const { calls } = settingsApi([], [
      { method: "PUT", path: "/api/contacts/settings", respond: (_url, body) => body },
    ]);
    renderRoutes(routes, { path: "/settings/contacts", session: ownerSession });
    const user = userEvent.setup();
    expect(await screen.findByTestId("settings-tab-contacts")).toHaveAttribute("aria-current", "page");
    const chips = await screen.findAllByTestId("settings-opt-out-keywords-chip");
    expect(chips.map((c) => c.dataset.value)).toEqual(["STOP", "BAJA"]);
    expect(screen.getByTestId("contact-settings-save")).toBeDisabled();

    await user.selectOptions(screen.getByTestId("settings-default-country"), "AR");
    await user.type(screen.getByTestId("settings-opt-out-keywords"), "cancelar{Enter}stop{Enter}");
    await user.click(within(chips[1]).getByTestId("settings-opt-out-keywords-remove"));
    await user.type(screen.getByTestId("settings-opt-in-keywords"), "ALTA,");
    await user.click(screen.getByTestId("contact-settings-save"));
    await waitFor(() => expect(calls.some((c) => c.method === "PUT")).toBe(true));
    // "stop" is already there (keywords ignore case): not added twice.
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({
      default_country: "AR",
      opt_out_keywords: ["STOP", "cancelar"],
      opt_in_keywords: ["START", "ALTA"],
    });
  });

  it("adds an attribute definition and shows a taken key on the field", async () => {
    const definitions: AttributeDefinition[] = [];
    const { calls } = settingsApi(definitions, [
      {
        method: "POST",
        path: "/api/contact-attributes",
        respond: (_url, body) => {
          const b = body as { key: string; label: string | null; type: AttributeDefinition["type"] };
          if (b.key === "age") return reply(409, { error: "key: an attribute 'age' already exists", fields: { key: "taken" } });
          const created = { id: "a2", key: b.key, label: b.label ?? b.key, type: b.type, created_at: "" };
          definitions.push(created);
          return reply(201, created);
        },
      },
    ]);
    renderRoutes(routes, { path: "/settings/contacts", session: ownerSession });
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("attribute-new-key"), "age");
    await user.click(screen.getByTestId("attribute-create"));
    expect(await screen.findByTestId("field-error-key")).toHaveTextContent("an attribute 'age' already exists");

    await user.clear(screen.getByTestId("attribute-new-key"));
    await user.type(screen.getByTestId("attribute-new-key"), "birthday");
    await user.type(screen.getByTestId("attribute-new-label"), "Cumpleaños");
    await user.selectOptions(screen.getByTestId("attribute-new-type"), "date");
    await user.click(screen.getByTestId("attribute-create"));
    const row = await screen.findByTestId("attribute-definition");
    expect(row).toHaveTextContent("birthday");
    expect(row).toHaveTextContent("Cumpleaños");
    expect(within(row).getByTestId("attribute-type")).toHaveTextContent("Date");
    expect(calls.filter((c) => c.method === "POST").at(-1)?.body).toEqual({ key: "birthday", label: "Cumpleaños", type: "date" });
  });

  it("deleting a tag says how many contacts lose it", async () => {
    const { calls } = settingsApi([], [{ method: "DELETE", path: "/api/tags/t1", respond: () => reply(204) }]);
    renderRoutes(routes, { path: "/settings/contacts", session: ownerSession });
    const user = userEvent.setup();
    const row = await screen.findByTestId("tag-row");
    expect(within(row).getByTestId("tag-count")).toHaveTextContent("12 contacts");
    await user.click(within(row).getByTestId("tag-delete"));
    const dialog = await screen.findByTestId("confirm-dialog");
    expect(dialog).toHaveTextContent("vip is taken off 12 contacts and deleted.");
    await user.click(within(dialog).getByTestId("confirm-accept"));
    await waitFor(() => expect(calls.some((c) => c.method === "DELETE" && c.url === "/api/tags/t1")).toBe(true));
  });

  it("agents read the settings but cannot change them", async () => {
    settingsApi([{ id: "a1", key: "age", label: "Age", type: "number", created_at: "" }]);
    renderRoutes(routes, { path: "/settings/contacts", session: { ...ownerSession, role: "agent" } });
    expect(await screen.findByTestId("read-only-notice")).toBeInTheDocument();
    expect(await screen.findByTestId("attribute-definition")).toHaveTextContent("Age");
    expect(screen.getByTestId("settings-default-country")).toBeDisabled();
    expect(screen.getAllByTestId("settings-opt-out-keywords-chip")).toHaveLength(2);
    expect(screen.queryByTestId("settings-opt-out-keywords")).not.toBeInTheDocument();
    expect(screen.queryByTestId("settings-opt-out-keywords-remove")).not.toBeInTheDocument();
    expect(screen.queryByTestId("contact-settings-save")).not.toBeInTheDocument();
    expect(screen.queryByTestId("attribute-create-form")).not.toBeInTheDocument();
    expect(screen.queryByTestId("attribute-delete")).not.toBeInTheDocument();
  });
});
