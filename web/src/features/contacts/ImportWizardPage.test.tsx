import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { routes } from "../../router";
import { mockFetch, ownerSession, renderRoutes, type MockRoute } from "../../test/utils";
import type { ContactImport, UploadedImport } from "./importApi";

const base: ContactImport = {
  id: "imp1",
  filename: "clientes.csv",
  status: "uploaded",
  encoding: "utf-8",
  delimiter: ";",
  headers: ["Nombre", "Teléfono", "Ciudad"],
  mapping: null,
  default_country: null,
  add_tags: [],
  on_duplicate: "merge",
  total_bytes: 1200,
  bytes_read: 0,
  progress: 0,
  rows_read: 0,
  created: 0,
  updated: 0,
  skipped: 0,
  failed: 0,
  error: null,
  errors_url: "/api/contacts/imports/imp1/errors.csv",
  created_at: "2026-12-04T10:00:00Z",
  started_at: null,
  finished_at: null,
};

const uploaded: UploadedImport = {
  ...base,
  columns: [
    { index: 0, header: "Nombre", suggested: "name", samples: ["Ana", "Beto"] },
    { index: 1, header: "Teléfono", suggested: "phone", samples: ["+5491122334455", "+34612345678"] },
    { index: 2, header: "Ciudad", suggested: "ignore", samples: ["Rosario", "Madrid"] },
  ],
  sample_rows: [
    ["Ana", "+5491122334455", "Rosario"],
    ["Beto", "+34612345678", "Madrid"],
  ],
  suggested_mapping: ["name", "phone", "ignore"],
};

const attributes = {
  attributes: [{ id: "a1", key: "city", label: "City", type: "text", created_at: "2026-12-01T00:00:00Z" }],
};

describe("ImportWizardPage", () => {
  it("uploads, maps columns, starts and shows the result with the error report", async () => {
    const finished: ContactImport = {
      ...base,
      status: "completed",
      mapping: ["name", "phone", "attribute:city"],
      progress: 100,
      bytes_read: 1200,
      rows_read: 2,
      created: 1,
      failed: 1,
    };
    const poll: MockRoute = {
      path: "/api/contacts/imports/imp1",
      body: { ...base, status: "running", progress: 40, bytes_read: 480, rows_read: 1 },
    };
    const { calls } = mockFetch([
      { method: "POST", path: "/api/contacts/import", status: 201, body: uploaded },
      { path: "/api/contact-attributes", body: attributes },
      { method: "POST", path: "/api/contacts/imports/imp1/start", status: 202, body: { ...base, status: "queued" } },
      poll,
    ]);
    renderRoutes(routes, { path: "/contacts/import", session: ownerSession });
    const user = userEvent.setup();
    const file = new File(["Nombre;Teléfono;Ciudad\nAna;+5491122334455;Rosario\n"], "clientes.csv", {
      type: "text/csv",
    });
    await user.upload(screen.getByTestId("import-file"), file);

    const rows = await screen.findAllByTestId("import-column");
    expect(rows).toHaveLength(3);
    expect(within(rows[1]).getByText("+5491122334455 · +34612345678")).toBeInTheDocument();
    expect(screen.getByTestId("import-target-0")).toHaveValue("name");
    expect(screen.getByTestId("import-target-1")).toHaveValue("phone");
    await waitFor(() =>
      expect(within(screen.getByTestId("import-target-2")).getByText("Attribute: city")).toBeInTheDocument(),
    );
    await user.selectOptions(screen.getByTestId("import-target-2"), "attribute:city");
    await user.click(screen.getByTestId("import-start"));

    // The progress bar follows the import until it is over.
    await waitFor(() => expect(screen.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "40"));
    expect(screen.getByTestId("import-percent")).toHaveTextContent("40% · 1 rows read");
    poll.body = finished;
    expect(await screen.findByText("Import finished", {}, { timeout: 4000 })).toBeInTheDocument();
    expect(screen.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
    expect(screen.getByTestId("import-count-created")).toHaveTextContent("1");
    expect(screen.getByTestId("import-count-failed")).toHaveTextContent("1");
    expect(screen.getByTestId("import-errors-link")).toHaveAttribute("href", "/api/contacts/imports/imp1/errors.csv");
    const start = calls.find((c) => c.url === "/api/contacts/imports/imp1/start");
    expect(start?.body).toEqual({
      mapping: ["name", "phone", "attribute:city"],
      default_country: null,
      add_tags: [],
      on_duplicate: "merge",
    });
    expect(start?.headers["x-csrf-token"]).toBeUndefined(); // no cookie in the test; sent when present
  });

  it("shows the server's reason when the file is refused", async () => {
    mockFetch([
      {
        method: "POST",
        path: "/api/contacts/import",
        status: 400,
        body: { error: "file: not UTF-8 (line 2 has a byte that is not UTF-8 text): save the file as CSV UTF-8" },
      },
    ]);
    renderRoutes(routes, { path: "/contacts/import", session: ownerSession });
    const user = userEvent.setup();
    await user.upload(screen.getByTestId("import-file"), new File(["x"], "latin1.csv", { type: "text/csv" }));
    expect(await screen.findByTestId("form-error")).toHaveTextContent("save the file as CSV UTF-8");
  });

  it("needs exactly one phone column before starting", async () => {
    mockFetch([
      { method: "POST", path: "/api/contacts/import", status: 201, body: uploaded },
      { path: "/api/contact-attributes", body: attributes },
    ]);
    renderRoutes(routes, { path: "/contacts/import", session: ownerSession });
    const user = userEvent.setup();
    await user.upload(screen.getByTestId("import-file"), new File(["x"], "c.csv", { type: "text/csv" }));
    await screen.findAllByTestId("import-column");
    await user.selectOptions(screen.getByTestId("import-target-1"), "ignore");
    expect(screen.getByTestId("import-phone-warning")).toBeInTheDocument();
    expect(screen.getByTestId("import-start")).toBeDisabled();
  });
});
