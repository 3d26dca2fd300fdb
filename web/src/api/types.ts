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

// ---------------------------------------------------------------- sandbox (phone simulator)
// Client-side for now: hand-written until the sandbox endpoints are in openapi.json.

/** A simulated customer of a sandbox number. */
export interface SandboxCustomer {
  waId: string;
  profileName: string | null;
}

/** POST /api/sandbox/accounts/{accountId}/customers. `waId` is generated when omitted. */
export interface CreateSandboxCustomerRequest {
  profileName: string;
  waId?: string;
}

/** "inbound" = written by the customer; "outbound" = sent by the business. */
export type SandboxMessageDirection = "inbound" | "outbound";

/**
 * Outbound: "accepted" | "sent" | "delivered" | "read" | "failed".
 * Inbound: "received" | "read" (read by the business). Other values may appear.
 */
export type SandboxMessageStatus =
  | "accepted"
  | "sent"
  | "delivered"
  | "read"
  | "failed"
  | "received"
  | (string & {});

/** The emulator's rendering of a sent template (what the customer's phone shows). */
export interface SandboxTemplateRendering {
  header?: string | null;
  body?: string | null;
  footer?: string | null;
  buttons?: Array<{ type?: string | null; text?: string | null }>;
}

export interface SandboxMessage {
  wamid: string;
  direction: SandboxMessageDirection;
  type: string;
  /**
   * Raw WhatsApp JSON (snake_case): inbound = the webhook message object,
   * outbound = the Graph API request body the business sent.
   */
  payload: Record<string, unknown>;
  /** Unix seconds. */
  timestamp: number;
  status: SandboxMessageStatus;
  /** Status history, when the server includes it (errors explain a failure). */
  statuses?: Array<{
    status: string;
    timestamp?: number;
    errors?: Array<{ code?: number; title?: string; message?: string }> | null;
  }>;
  /** Outbound templates: the rendered template, when the emulator includes it. */
  template?: SandboxTemplateRendering | null;
}

/** GET /api/sandbox/accounts/{accountId}/customers/{waId}/messages */
export interface SandboxConversation {
  /** Whether the 24-hour customer service window is open. */
  windowOpen: boolean;
  messages: SandboxMessage[];
}

/** POST /api/sandbox/accounts/{accountId}/customers/{waId}/messages: what the customer sends. */
export type SandboxSendRequest =
  | { type: "text"; text: string }
  | { type: "button_reply"; replyTo: string; id: string }
  | { type: "list_reply"; replyTo: string; id: string }
  | { type: "location"; latitude: number; longitude: number; name?: string; address?: string }
  | { type: "image"; dataBase64: string; mimeType: string; caption?: string };

export interface SandboxSendResponse {
  wamid: string;
}

// ---------------------------------------------------------------- legacy settings

export type LegacySettings = Schemas["LegacySettingsOut"];
export type LegacySettingsWrite = Schemas["LegacySettingsIn"];
/** DELETE /api/settings: cleared field → true. */
export type LegacySettingsCleared = Record<string, boolean>;

// ---------------------------------------------------------------- inbox (docs/inbox.md)

export type ConversationStatus = Schemas["ConversationSummaryOut"]["status"];
export type ConversationMode = Schemas["ConversationSummaryOut"]["mode"];
export type UserRef = Schemas["UserRef"];

/** One row of the inbox list. `assignee` is null when unassigned. */
export type ConversationSummary = Schemas["ConversationSummaryOut"];
export type ConversationContact = Schemas["ContactOut"];
/** The contact's live flow session; `waiting` = it waits for the customer's reply. */
export type ConversationSession = Schemas["SessionOut"];
export type ConversationDetail = Schemas["ConversationDetailOut"];

export type MessageDirection = Schemas["MessageOut"]["direction"];
/** "pending" → "sent" → "delivered" → "read" ("played" for voice), or "failed" (client-side names). */
export type MessageStatus = "pending" | "sent" | "delivered" | "read" | "played" | "failed" | (string & {});
export type MessageError = Schemas["MessageErrorOut"];
export type ReplyTo = Schemas["ReplyToOut"];

/**
 * A message of a thread. `payload`: inbound → `{message: <Meta's message object>, summary}`;
 * outbound → `{graph: <the Graph API payload sent>}`; `direction: "note"` is a private note.
 */
export type InboxMessage = Schemas["MessageOut"];

/** Client-side: the query string of GET /api/conversations (`status` is repeatable). */
export interface ConversationListQuery {
  status?: ConversationStatus[];
  /** "me", "unassigned" or a user id. */
  assignee?: string;
  mode?: ConversationMode;
  tag?: string;
  unread?: boolean;
  q?: string;
  cursor?: string;
  limit?: number;
}

export type ConversationListResponse = Schemas["ConversationListOut"];
export type ConversationCounts = Schemas["ConversationCountsOut"];
export type ConversationThreadResponse = Schemas["ThreadOut"];
export type TemplateSend = Schemas["TemplateIn"];

/** POST /api/conversations/{contactId}. `type` defaults to "text", `preview_url` to false. */
export type SendMessageRequest = Omit<Schemas["SendIn"], "type" | "preview_url"> & {
  type?: Schemas["SendIn"]["type"];
  preview_url?: boolean;
};

export type MessageEnvelope = Schemas["MessageEnvelopeOut"];
export type ConversationEnvelope = Schemas["ConversationOut"];
export type UpdateConversationRequest = Schemas["ConversationPatchIn"];
export type UploadedMedia = Schemas["MediaUploadOut"];

export type CannedResponse = Schemas["CannedResponseOut"];
export type CannedResponseList = Schemas["CannedResponseListOut"];
/** POST /api/canned-responses and PUT /api/canned-responses/{id}. */
export type CannedResponseRequest = Schemas["CannedResponseIn"];
export type CannedResponseEnvelope = Schemas["CannedResponseEnvelopeOut"];

// Client-side: Socket.IO server → client events (docs/inbox.md §3); not in the OpenAPI schema.

export interface MessageNewEvent {
  contact_id: Id;
  message: InboxMessage;
}

export interface MessageStatusEvent {
  contact_id: Id;
  message_id: Id;
  wamid: string | null;
  status: MessageStatus;
  error: MessageError | null;
}

export interface TypingEvent {
  contact_id: Id;
  user: UserRef;
}

/** `conversation` carries the row's fields; the server names the assignee by `assignee_id`. */
export interface ConversationUpdatedEvent {
  contact_id: Id;
  conversation?: Partial<ConversationSummary> & { assignee_id?: Id | null };
}

// ----- message templates (docs/api.md#message-templates) ------------------------------------

export type MessageTemplate = Schemas["TemplateOut"];
export type MessageTemplateList = Schemas["TemplateListOut"];
export type TemplateParameter = Schemas["ParameterOut"];
export type TemplateCreateRequest = Schemas["TemplateCreateIn"];
export type TemplateSyncResult = Schemas["SyncOut"];
export type TemplatePreview = Schemas["PreviewOut"];
/** Parameter values keyed like the server's `parameters[].key` ("body.1", "header.image"). */
export type TemplateValues = Record<string, string>;

/** Settings → Audit log. */
export type AuditEntry = Schemas["AuditEntryOut"];
export type AuditPage = Schemas["AuditPageOut"];

// ----- contacts, tags, attributes, segments (docs/api.md#contacts) ---------------------------

export type Contact = Schemas["ContactRecordOut"];
export type ContactList = Schemas["ContactListOut"];
export type ContactCount = Schemas["ContactCountOut"];
export type ContactCreateRequest = Schemas["ContactCreateIn"];
export type ContactUpdateRequest = Schemas["ContactUpdateIn"];
export type BulkRequest = Schemas["BulkIn"];
export type BulkAction = Schemas["BulkIn"]["action"];
export type BulkFilter = Schemas["ContactFilterIn"];
export type BulkResult = Schemas["BulkOut"];
export type ContactTag = Schemas["TagOut"];
export type ContactTagList = Schemas["TagListOut"];
export type ContactTagPatch = Schemas["TagPatchIn"];
export type AttributeDefinition = Schemas["AttributeDefinitionOut"];
export type AttributeDefinitionList = Schemas["AttributeDefinitionListOut"];
export type AttributeDefinitionRequest = Schemas["AttributeDefinitionIn"];
export type AttributeType = Schemas["AttributeDefinitionOut"]["type"];
export type Segment = Schemas["SegmentOut"];
export type SegmentList = Schemas["SegmentListOut"];
/** A segment's rules as sent (the schema keeps them free-form on input; see RuleSet). */
export type SegmentRules = Schemas["RuleSet-Input"];
export type SegmentCondition = NonNullable<SegmentRules["conditions"]>[number];
export type ContactSettings = Schemas["ContactSettingsOut"];
export type TimelineItem = Schemas["TimelineItemOut"];
export type Timeline = Schemas["TimelineOut"];
/** Client-side: the sort keys and orders of GET /api/contacts. */
export type ContactSort = "updated" | "created" | "last_activity" | "name";
export type SortOrder = "asc" | "desc";

// ----- overview and global search (docs/api.md#overview) ------------------------------------

export type OverviewPeriod = 7 | 14 | 30 | 90;
export type Overview = Schemas["OverviewOut"];
export type OverviewKpis = Schemas["KpisOut"];
export type OverviewDay = Schemas["DayOut"];
export type DeliveryFunnel = Schemas["FunnelOut"];
export type TopFlow = Schemas["TopFlowOut"];
export type FlowDropOff = Schemas["DropOffOut"];
export type SearchResults = Schemas["SearchOut"];
export type SearchHit = Schemas["SearchHitOut"];

// ----- broadcasts (docs/broadcasts.md, docs/api.md#broadcasts) -------------------------------

export type Broadcast = Schemas["BroadcastOut"];
export type BroadcastList = Schemas["BroadcastListOut"];
export type BroadcastCreateRequest = Schemas["BroadcastIn"];
export type BroadcastPatchRequest = Schemas["BroadcastPatch"];
export type BroadcastAudience = Schemas["AudienceIn"];
export type BroadcastAudienceKind = Schemas["AudienceIn"]["kind"];
export type BroadcastContent =
  | Schemas["TemplateContentIn"]
  | Schemas["FlowContentIn"]
  | Schemas["TextContentIn"];
export type BroadcastCounts = Schemas["Counts"];
export type BroadcastFunnel = Schemas["Funnel"];
export type AudiencePreviewRequest = Schemas["AudiencePreviewIn"];
export type AudiencePreview = Schemas["AudiencePreviewOut"];
export type AudienceUpload = Schemas["AudienceUploadOut"];
export type BroadcastRecipient = Schemas["RecipientOut"];
export type BroadcastRecipientList = Schemas["RecipientListOut"];
/** Client-side: the recipient states, as the server's RecipientState literal. */
export type RecipientState = "pending" | "sending" | "sent" | "delivered" | "read" | "failed" | "skipped";
/** Client-side: the lifecycle states of a broadcast (broadcasts/service.py). */
export type BroadcastStatus = "draft" | "scheduled" | "running" | "paused" | "completed" | "cancelled";
/** Client-side: `broadcast:progress` Socket.IO event (broadcasts/events.py), a hint to re-fetch. */
export interface BroadcastProgressEvent {
  broadcast_id: string;
  status: string;
  paused_reason: string | null;
}
