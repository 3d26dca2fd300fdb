/**
 * Every request and response type of the Finnegans REST API (see docs/api.md).
 *
 * API types are aliases of the types generated from the server's OpenAPI schema
 * (`openapi.json` → `schema.d.ts`, regenerate with `npm run gen:api`); never edit
 * `schema.d.ts` by hand. Only shapes the schema does not describe are hand-written
 * here (marked "client-side"). Keep ALL API types here and nowhere else.
 */
import type { components } from "./schema";

type Schemas = components["schemas"];

/** Identifiers are opaque strings to the dashboard (client-side). */
export type Id = string;

/** ISO-8601 date-time string (client-side; the schema's `format: date-time` strings). */
export type DateTimeString = string;

export type Role = Schemas["Role"];

// ---------------------------------------------------------------- errors

/**
 * Client-side: every error answers `{"error": message}`, plus `fields` (field name → reason)
 * for 400 validation errors. The schema only documents FastAPI's default 422
 * `HTTPValidationError`, which the server never sends.
 */
export interface ApiErrorBody {
  error: string;
  /** Field name → reason, for 400 validation errors. */
  fields?: Record<string, string>;
}

// ---------------------------------------------------------------- health

/** Client-side: GET /api/health is untyped in the schema (it returns a raw JSONResponse). */
export interface HealthResponse {
  status: "ok" | "error";
  database: "connected" | "disconnected";
  uptime: number;
  version: string;
}

// ---------------------------------------------------------------- auth

export type WorkspaceRef = Schemas["WorkspaceOut"];
export type User = Schemas["UserOut"];

export type RegisterRequest = Schemas["RegisterIn"];
export type LoginRequest = Schemas["LoginIn"];

/** Returned by register, login and invitation accept. */
export type LoginResponse = Schemas["LoginOut"];

export type LogoutResponse = Schemas["SuccessOut"];

/**
 * GET /api/auth/me. `user` is null when the request is authenticated by an API key
 * (`via: "api_key"`); `via` is "cookie" | "bearer" | "api_key".
 */
export type MeResponse = Schemas["MeOut"];

/**
 * Client-side: the dashboard's signed-in session, i.e. a /me answer for a real user
 * (the browser authenticates with the session cookie, so `user` is always present).
 */
export type Session = Omit<MeResponse, "user"> & { user: User };

// ---------------------------------------------------------------- members

export type Member = Schemas["MemberOut"];
export type UpdateMemberRequest = Schemas["MemberUpdateIn"];

// ---------------------------------------------------------------- invitations

export type Invitation = Schemas["InvitationOut"];
export type CreateInvitationRequest = Schemas["InvitationIn"];
/** The token and URL are only returned once, when the invitation is created. */
export type CreatedInvitation = Schemas["InvitationCreatedOut"];
export type InvitationLookup = Schemas["InvitationLookupOut"];
/** `name` is omitted when the invited e-mail already has an account. */
export type AcceptInvitationRequest = Schemas["InvitationAcceptIn"];

// ---------------------------------------------------------------- API keys

export type ApiKey = Schemas["ApiKeyOut"];
export type CreateApiKeyRequest = Schemas["ApiKeyIn"];
/** `key` is only returned once, when the key is created. */
export type CreatedApiKey = Schemas["ApiKeyCreatedOut"];

// ---------------------------------------------------------------- WhatsApp accounts

export type WhatsAppAccountStatus = Schemas["AccountStatus"];

/** Secrets (`appSecret`, `accessToken`, `phonePin`) are masked like "••••••1a2b", or "" when not set. */
export type WhatsAppAccount = Schemas["AccountOut"];

/**
 * Body of POST (create), PUT and PATCH (update). Secrets are write-only: omit one to keep
 * the stored value; `null` or `""` clears it.
 */
export type WhatsAppAccountWrite = Schemas["AccountIn"];

export type WhatsAppTestResult = Schemas["ConnectionTestOut"];

// ---------------------------------------------------------------- legacy settings

export type LegacySettings = Schemas["LegacySettingsOut"];
export type LegacySettingsWrite = Schemas["LegacySettingsIn"];
/** DELETE /api/settings: cleared field → true. */
export type LegacySettingsCleared = Record<string, boolean>;
