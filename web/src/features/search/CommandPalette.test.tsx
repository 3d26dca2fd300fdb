import { describe, expect, it } from "vitest";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { routes } from "../../router";
import { mockFetch, ownerSession, renderRoutes } from "../../test/utils";
import type { SearchResults } from "../../api/types";

const results: SearchResults = {
  query: "an",
  flows: [{ kind: "flow", id: "f1", label: "Onboarding", secondary: "Active", path: "/flows/f1" }],
  contacts: [
    { kind: "contact", id: "c1", label: "Ana Pérez", secondary: "+573001234567", path: "/inbox/c1" },
    { kind: "contact", id: "c2", label: "Andrés", secondary: null, path: "/inbox/c2" },
  ],
  conversations: [],
  broadcasts: [{ kind: "broadcast", id: "b1", label: "Black Friday", secondary: "draft", path: "/broadcasts?id=b1" }],
};

function shell() {
  return mockFetch([
    { path: "/api/whatsapp-accounts", body: [] },
    { path: "/api/members", body: [] },
    { path: "/api/api-keys", body: [] },
    { path: /\/api\/overview\?/, body: {} },
    { path: /\/api\/conversations\/counts/, body: { unread: 0 } },
    { path: /\/api\/search\?q=an$/, body: results },
    { path: /\/api\/search\?q=zz$/, body: { query: "zz", flows: [], contacts: [], conversations: [], broadcasts: [] } },
    { path: "/api/contacts", body: { contacts: [] } },
  ]);
}

describe("CommandPalette", () => {
  it("opens with Ctrl+K, groups results, moves with the arrows and opens on Enter", async () => {
    const { calls } = shell();
    const { router } = renderRoutes(routes, { path: "/broadcasts", session: ownerSession });
    await screen.findByTestId("app-shell");
    fireEvent.keyDown(document, { key: "k", ctrlKey: true });
    const input = await screen.findByTestId("search-input");
    await waitFor(() => expect(input).toHaveFocus());
    expect(screen.getByText("Type at least 2 characters.")).toBeInTheDocument();

    await userEvent.type(input, "a");
    await userEvent.type(input, "n");
    const options = await screen.findAllByTestId("search-result");
    expect(calls.filter((c) => c.url.startsWith("/api/search"))).toHaveLength(1); // debounced
    expect(options.map((o) => o.textContent)).toEqual([
      "OnboardingActive", "Ana Pérez+573001234567", "Andrés", "Black Fridaydraft",
    ]);
    expect(within(screen.getByTestId("search-group-contacts")).getAllByTestId("search-result")).toHaveLength(2);
    expect(screen.queryByTestId("search-group-conversations")).not.toBeInTheDocument();
    expect(options[0]).toHaveAttribute("aria-selected", "true");

    await userEvent.keyboard("{ArrowDown}{ArrowDown}");
    expect(screen.getAllByTestId("search-result")[2]).toHaveAttribute("aria-selected", "true");
    await userEvent.keyboard("{ArrowUp}");
    expect(screen.getAllByTestId("search-result")[1]).toHaveAttribute("aria-selected", "true");
    await userEvent.keyboard("{Enter}");
    await waitFor(() => expect(router.state.location.pathname).toBe("/inbox/c1"));
    expect(screen.queryByTestId("command-palette")).not.toBeInTheDocument();
  });

  it("opens from the top bar button, says when nothing matches, and closes on Escape", async () => {
    shell();
    renderRoutes(routes, { path: "/broadcasts", session: ownerSession });
    await userEvent.click(await screen.findByTestId("search-open"));
    await userEvent.type(await screen.findByTestId("search-input"), "zz");
    expect(await screen.findByTestId("search-empty")).toHaveTextContent("Nothing matches “zz”.");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByTestId("command-palette")).not.toBeInTheDocument();
  });
});
