import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import type { MessageTemplate } from "../../api/types";
import {
  audienceBody,
  contentBody,
  draftFromBroadcast,
  formatEta,
  graphTemplate,
  NEW_AUDIENCE,
  NEW_CONTENT,
  percent,
  scheduleBody,
  stepErrors,
  valuesFromRendered,
} from "./model";

const PROMO = {
  name: "promo",
  language: "es_AR",
  parameters: [
    { key: "header.1", component: "header", name: "1", type: "text", example: null },
    { key: "body.1", component: "body", name: "1", type: "text", example: null },
    { key: "body.2", component: "body", name: "2", type: "text", example: null },
    { key: "button.0", component: "button", name: "0", type: "text", example: null },
  ],
} as unknown as MessageTemplate;

describe("audienceBody", () => {
  it("is null until the chosen kind has what it needs", () => {
    expect(audienceBody(NEW_AUDIENCE)).toEqual({ kind: "everyone", match: "any" });
    expect(audienceBody({ ...NEW_AUDIENCE, kind: "tags" })).toBeNull();
    expect(audienceBody({ ...NEW_AUDIENCE, kind: "tags", tags: ["vip"], match: "all" })).toEqual({ kind: "tags", match: "all", tags: ["vip"] });
    expect(audienceBody({ ...NEW_AUDIENCE, kind: "segment" })).toBeNull();
    expect(audienceBody({ ...NEW_AUDIENCE, kind: "contacts", contactIds: ["c1"] })).toMatchObject({ contactIds: ["c1"] });
    expect(audienceBody({ ...NEW_AUDIENCE, kind: "csv" })).toBeNull();
    const upload = { upload_id: "imp1" } as never;
    expect(audienceBody({ ...NEW_AUDIENCE, kind: "csv", upload })).toEqual({ kind: "csv", match: "any", uploadId: "imp1" });
  });
});

describe("contentBody", () => {
  it("needs a template, a flow or non-blank text", () => {
    expect(contentBody(NEW_CONTENT)).toBeNull();
    expect(contentBody({ ...NEW_CONTENT, kind: "text", text: "   " })).toBeNull();
    expect(contentBody({ ...NEW_CONTENT, kind: "text", text: "Hola" })).toEqual({ kind: "text", text: "Hola" });
    expect(contentBody({ ...NEW_CONTENT, kind: "flow", flowId: "f1" })).toEqual({ kind: "flow", flowId: "f1" });
    expect(contentBody({ ...NEW_CONTENT, kind: "flow", flowId: "f1", flowMessage: "hi" })).toEqual({ kind: "flow", flowId: "f1", message: "hi" });
  });
});

describe("graphTemplate", () => {
  it("turns the picker's keyed values into Graph components in Meta's order", () => {
    const send = {
      name: "promo",
      language: "es_AR",
      parameters: { "header.1": "Oferta", "body.1": "{{contact.name}}", "body.2": "X7", "button.0": "abc" },
    };
    expect(graphTemplate(send, PROMO)).toEqual({
      name: "promo",
      language: { code: "es_AR" },
      components: [
        { type: "header", parameters: [{ type: "text", text: "Oferta" }] },
        { type: "body", parameters: [{ type: "text", text: "{{contact.name}}" }, { type: "text", text: "X7" }] },
        { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: "abc" }] },
      ],
    });
  });

  it("names named parameters and keeps a hand-written template as it is", () => {
    const named = { ...PROMO, parameters: [{ key: "body.first_name", component: "body", name: "first_name", type: "text", example: null }] } as unknown as MessageTemplate;
    const out = graphTemplate({ name: "promo", language: "es_AR", parameters: { "body.first_name": "Ana" } }, named);
    expect(out.components).toEqual([{ type: "body", parameters: [{ type: "text", text: "Ana", parameter_name: "first_name" }] }]);
    expect(graphTemplate({ name: "hello_world", language: "en_US" }, undefined)).toEqual({ name: "hello_world", language: { code: "en_US" } });
  });

  it("round-trips through the server's per-contact rendering for the preview", () => {
    const rendered = {
      type: "template",
      template: graphTemplate({ name: "promo", language: "es_AR", parameters: { "header.1": "Oferta", "body.1": "Ana", "body.2": "X7", "button.0": "abc" } }, PROMO),
    };
    expect(valuesFromRendered(PROMO, rendered)).toEqual({ "header.1": "Oferta", "body.1": "Ana", "body.2": "X7", "button.0": "abc" });
    expect(valuesFromRendered(PROMO, null)).toEqual({ "header.1": "", "body.1": "", "body.2": "", "button.0": "" });
  });
});

describe("stepErrors", () => {
  it("puts the server's sentence on the step its field belongs to", () => {
    const past = new ApiError(400, "scheduled_at: the time is in the past", { scheduled_at: "must be in the future" });
    expect(stepErrors(past, "x")).toEqual({ schedule: "scheduled_at: the time is in the past" });
    const nobody = new ApiError(400, "No contacts found for the selection", { audience: "nobody to send to" });
    expect(stepErrors(nobody, "x")).toEqual({ audience: "No contacts found for the selection" });
    const params = new ApiError(422, "content.template: body: the template needs 2 parameters, 1 given", { "content.template": "body: …" });
    expect(stepErrors(params, "x")).toEqual({ content: "content.template: body: the template needs 2 parameters, 1 given" });
    const two = new ApiError(400, "Invalid request", { "audience.tags": "required", "content.text": "too long" });
    expect(stepErrors(two, "x")).toEqual({ audience: "audience.tags: required", content: "content.text: too long" });
    expect(stepErrors(new ApiError(400, "Connect a WhatsApp number"), "x")).toEqual({ review: "Connect a WhatsApp number" });
    expect(stepErrors(new Error("boom"), "Something went wrong")).toEqual({ review: "Something went wrong" });
  });
});

describe("formatting", () => {
  it("shows 100 % only when everything is final", () => {
    expect(percent(0)).toBe(0);
    expect(percent(0.5)).toBe(50);
    expect(percent(0.9999)).toBe(99);
    expect(percent(1)).toBe(100);
    expect(percent(Number.NaN)).toBe(0);
  });

  it("writes the ETA for people", () => {
    expect(formatEta(null)).toBe("");
    expect(formatEta(44.2)).toBe("45 s");
    expect(formatEta(200)).toBe("3 min 20 s");
    expect(formatEta(7500)).toBe("2 h 5 min");
  });

  it("sends a schedule without offset (the server reads it in the workspace's zone)", () => {
    expect(scheduleBody("now", "2026-12-24T10:00")).toBeNull();
    expect(scheduleBody("later", "")).toBeNull();
    expect(scheduleBody("later", "2026-12-24T10:00")).toBe("2026-12-24T10:00:00");
  });
});

describe("draftFromBroadcast", () => {
  it("puts a saved draft back into the wizard, so saving it again sends the same audience and content", () => {
    const template = { name: "promo", language: { code: "es_AR" }, components: [{ type: "body", parameters: [{ type: "text", text: "{{contact.name}}" }] }] };
    const saved = {
      id: "d1",
      title: null,
      // As the server stores them (snake_case field names).
      audience: { kind: "csv", tags: [], match: "any", segment_id: null, contact_ids: [], upload_id: "imp9" },
      content: { kind: "template", template },
    };
    const draft = draftFromBroadcast(saved);
    expect(draft.id).toBe("d1");
    expect(draft.title).toBe("");
    expect(audienceBody(draft.audience)).toEqual({ kind: "csv", match: "any", uploadId: "imp9" });
    expect(contentBody(draft.content)).toEqual({ kind: "template", template });
    const flow = draftFromBroadcast({ ...saved, audience: { kind: "segment", segment_id: "s1", match: "all" }, content: { kind: "flow", flow_id: "f1", message: "hola" } });
    expect(audienceBody(flow.audience)).toEqual({ kind: "segment", match: "all", segmentId: "s1" });
    expect(contentBody(flow.content)).toEqual({ kind: "flow", flowId: "f1", message: "hola" });
    // Nothing usable stored: the wizard starts from its defaults for that part.
    expect(draftFromBroadcast({ ...saved, audience: {}, content: {} }).audience.kind).toBe("everyone");
  });
});
