import { api } from "./client";
import type {
  AuditPage,
  AcceptInvitationRequest,
  ApiKey,
  CreateApiKeyRequest,
  CreateInvitationRequest,
  CreatedApiKey,
  CreatedInvitation,
  CreateSandboxCustomerRequest,
  Id,
  Invitation,
  InvitationLookup,
  LoginRequest,
  LoginResponse,
  LogoutResponse,
  MeResponse,
  Member,
  RegisterRequest,
  SandboxConversation,
  SandboxCustomer,
  SandboxSendRequest,
  SandboxSendResponse,
  UpdateMemberRequest,
  WhatsAppAccount,
  WhatsAppAccountWrite,
  WhatsAppTestResult,
} from "./types";

const enc = encodeURIComponent;

export const authApi = {
  me: () => api.get<MeResponse>("/api/auth/me", { skipAuthRedirect: true }),
  login: (body: LoginRequest) =>
    api.post<LoginResponse>("/api/auth/login", body, { skipAuthRedirect: true }),
  register: (body: RegisterRequest) =>
    api.post<LoginResponse>("/api/auth/register", body, { skipAuthRedirect: true }),
  logout: () => api.post<LogoutResponse>("/api/auth/logout", undefined, { skipAuthRedirect: true }),
};

export const membersApi = {
  list: () => api.get<Member[]>("/api/members"),
  update: (userId: Id, body: UpdateMemberRequest) =>
    api.patch<Member>(`/api/members/${enc(userId)}`, body),
  remove: (userId: Id) => api.delete(`/api/members/${enc(userId)}`),
};

export const invitationsApi = {
  list: () => api.get<Invitation[]>("/api/invitations"),
  create: (body: CreateInvitationRequest) => api.post<CreatedInvitation>("/api/invitations", body),
  revoke: (id: Id) => api.delete(`/api/invitations/${enc(id)}`),
  lookup: (token: string) =>
    api.get<InvitationLookup>(`/api/invitations/lookup/${enc(token)}`, { skipAuthRedirect: true }),
  accept: (body: AcceptInvitationRequest) =>
    api.post<LoginResponse>("/api/invitations/accept", body, { skipAuthRedirect: true }),
};

export const apiKeysApi = {
  list: () => api.get<ApiKey[]>("/api/api-keys"),
  create: (body: CreateApiKeyRequest) => api.post<CreatedApiKey>("/api/api-keys", body),
  revoke: (id: Id) => api.delete(`/api/api-keys/${enc(id)}`),
};

export const whatsappApi = {
  list: () => api.get<WhatsAppAccount[]>("/api/whatsapp-accounts"),
  create: (body: WhatsAppAccountWrite) =>
    api.post<WhatsAppAccount>("/api/whatsapp-accounts", body),
  update: (id: Id, body: WhatsAppAccountWrite) =>
    api.patch<WhatsAppAccount>(`/api/whatsapp-accounts/${enc(id)}`, body),
  remove: (id: Id) => api.delete(`/api/whatsapp-accounts/${enc(id)}`),
  test: (id: Id) => api.post<WhatsAppTestResult>(`/api/whatsapp-accounts/${enc(id)}/test`),
};

const sandboxBase = (accountId: Id) => `/api/sandbox/accounts/${enc(accountId)}`;

export const sandboxApi = {
  customers: (accountId: Id) => api.get<SandboxCustomer[]>(`${sandboxBase(accountId)}/customers`),
  createCustomer: (accountId: Id, body: CreateSandboxCustomerRequest) =>
    api.post<SandboxCustomer>(`${sandboxBase(accountId)}/customers`, body),
  messages: (accountId: Id, waId: string) =>
    api.get<SandboxConversation>(`${sandboxBase(accountId)}/customers/${enc(waId)}/messages`),
  send: (accountId: Id, waId: string, body: SandboxSendRequest) =>
    api.post<SandboxSendResponse>(`${sandboxBase(accountId)}/customers/${enc(waId)}/messages`, body),
  /** URL of a media object's bytes, for <img src> etc. */
  mediaUrl: (accountId: Id, mediaId: string) => `${sandboxBase(accountId)}/media/${enc(mediaId)}`,
};

export const auditApi = {
  page: (cursor?: string | null, action?: string) => {
    const params = new URLSearchParams({ limit: "50" });
    if (cursor) params.set("cursor", cursor);
    if (action) params.set("action", action);
    return api.get<AuditPage>(`/api/audit-log?${params.toString()}`);
  },
};

export const queryKeys = {
  me: ["me"] as const,
  audit: (action: string) => ["audit-log", action] as const,
  members: ["members"] as const,
  invitations: ["invitations"] as const,
  apiKeys: ["api-keys"] as const,
  whatsappAccounts: ["whatsapp-accounts"] as const,
  invitationLookup: (token: string) => ["invitation-lookup", token] as const,
  sandboxCustomers: (accountId: Id) => ["sandbox", accountId, "customers"] as const,
  sandboxMessages: (accountId: Id, waId: string) => ["sandbox", accountId, "messages", waId] as const,
};
