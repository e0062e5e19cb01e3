/**
 * One sample request per operation of the OpenAPI document, in an order that creates what
 * later ones read and deletes last. The contract test fails if an operation has no sample.
 */
import type { RunningApp } from "./app-server";
import { joinByInvitation } from "./members";

export type Ids = Record<string, string>;
export interface Sample {
  operationId: string;
  path: (ids: Ids) => string;
  query?: Record<string, string>;
  body?: (ids: Ids) => unknown;
  /** Remember something from the answer for later samples. */
  keep?: (answer: any, ids: Ids) => void;
  /** Make what the sample needs that the API cannot (e.g. a second member, who joins in person); run once, first. */
  before?: (ids: Ids, app: RunningApp) => Promise<void>;
  /** Needs billing on (Stripe, here its stand-in): tests send it to an app started so (billing off answers 404). */
  billingOn?: true;
}

const now = Date.now();
const iso = (ms: number) => new Date(ms).toISOString();

export const SAMPLES: Sample[] = [
  {
    operationId: "check",
    path: () => "/sdk/check",
    body: () => ({ userId: "contract_user", feature: "chat", input: "Summarise this ticket" }),
  },
  {
    operationId: "record",
    path: () => "/sdk/record",
    body: () => ({
      userId: "contract_user",
      orgId: "org_1",
      feature: "chat",
      model: "gpt-4o-mini",
      requestId: "contract-1",
      usage: { prompt_tokens: 120, completion_tokens: 30 },
    }),
    keep: (a, ids) => (ids.eventId = a.id),
  },
  {
    operationId: "log",
    path: () => "/sdk/log",
    body: () => ({ requestId: "contract-1", request: { messages: [] }, response: { ok: true } }),
  },
  {
    operationId: "getUsage",
    path: () => "/api/v1/usage",
    query: { dimension: "user", key: "contract_user", interval: "hour", from: iso(now - 86_400_000), to: iso(now + 3_600_000) },
  },
  { operationId: "getTopUsage", path: () => "/api/v1/usage/top", query: { dimension: "feature", orderBy: "cost", limit: "5" } },
  { operationId: "exportUsage", path: () => "/api/v1/usage/export", query: { dimension: "user", interval: "day" } },
  { operationId: "getUsageBreakdown", path: () => "/api/v1/usage/breakdown", query: { by: "user,feature,model", limit: "10" } },
  { operationId: "exportUsageBreakdown", path: () => "/api/v1/usage/breakdown/export", query: { by: "org,model" } },
  { operationId: "getCohorts", path: () => "/api/v1/cohorts", query: { period: "month", metric: "cost_usd", periods: "3" } },
  { operationId: "getActiveUsers", path: () => "/api/v1/usage/active-users", query: { interval: "week" } },
  { operationId: "getLabelCounts", path: () => "/api/v1/usage/labels" },
  { operationId: "getLabelsPerDay", path: () => "/api/v1/usage/labels/daily", query: { userId: "contract_user" } },
  { operationId: "getLlmLabellingCost", path: () => "/api/v1/usage/labels/llm-cost" },
  {
    operationId: "createLabelPolicy",
    path: () => "/api/v1/label-policies",
    body: () => ({
      name: "Block jailbreakers",
      label: "jailbreak",
      minCount: 2,
      windowSeconds: 3600,
      action: "block",
      stage: "record",
      durationSeconds: 600,
    }),
    keep: (a, ids) => (ids.policyId = a.id),
  },
  { operationId: "listLabelPolicies", path: () => "/api/v1/label-policies" },
  { operationId: "getLabelPolicy", path: (ids) => `/api/v1/label-policies/${ids.policyId}` },
  { operationId: "getLabelPolicyShadow", path: (ids) => `/api/v1/label-policies/${ids.policyId}/shadow` },
  { operationId: "updateLabelPolicy", path: (ids) => `/api/v1/label-policies/${ids.policyId}`, body: () => ({ enabled: false }) },
  {
    operationId: "createCustomLabel",
    path: () => "/api/v1/custom-labels",
    body: () => ({ name: "refund_request", description: "The user asks for a refund" }),
    keep: (a, ids) => (ids.customLabelId = a.id),
  },
  { operationId: "listCustomLabels", path: () => "/api/v1/custom-labels" },
  {
    operationId: "updateCustomLabel",
    path: (ids) => `/api/v1/custom-labels/${ids.customLabelId}`,
    body: () => ({ description: "Asks for money back" }),
  },
  {
    operationId: "setModelPrice",
    path: () => "/api/v1/model-prices/acme-llm-1",
    body: () => ({ inputPerMillionUsd: 2.5, outputPerMillionUsd: 10, cachedInputPerMillionUsd: 1.25, reasoningPerMillionUsd: null }),
  },
  { operationId: "listModelPrices", path: () => "/api/v1/model-prices" },
  { operationId: "listModelPrices", path: () => "/api/v1/model-prices", query: { model: "gpt-4o-mini" } },
  {
    operationId: "createSegment",
    path: () => "/api/v1/segments",
    body: () => ({ name: "Chat users", filter: { feature: "chat", activeWithinDays: 7 } }),
    keep: (a, ids) => (ids.segmentId = a.id),
  },
  { operationId: "listSegments", path: () => "/api/v1/segments" },
  { operationId: "getSegment", path: (ids) => `/api/v1/segments/${ids.segmentId}` },
  {
    operationId: "updateSegment",
    path: (ids) => `/api/v1/segments/${ids.segmentId}`,
    body: () => ({ filter: { feature: "chat", minCostUsd: 0, costWithinDays: 30 } }),
  },
  { operationId: "listEndUsers", path: () => "/api/v1/end-users", query: { search: "contract", limit: "10" } },
  { operationId: "getEndUser", path: () => "/api/v1/end-users/contract_user" },
  {
    operationId: "blockEndUser",
    path: () => "/api/v1/end-users/blocked_user/block",
    body: () => ({ reason: "contract", expiresAt: iso(now + 3_600_000) }),
  },
  { operationId: "unblockEndUser", path: () => "/api/v1/end-users/blocked_user/unblock" },
  // Clearing a tier never assigned: exercised without changing what later samples see.
  { operationId: "setEndUserTier", path: () => "/api/v1/end-users/contract_user/tier", body: () => ({ tier: null }) },
  {
    operationId: "createRule",
    path: () => "/api/v1/rules",
    body: () => ({
      name: "Daily requests",
      scope: "user",
      match: null,
      filters: { tier: "free" },
      metric: "requests",
      window: "day",
      limit: 20,
      action: "block",
      enabled: true,
    }),
    keep: (a, ids) => (ids.ruleId = a.id),
  },
  { operationId: "listRules", path: () => "/api/v1/rules" },
  { operationId: "getRule", path: (ids) => `/api/v1/rules/${ids.ruleId}` },
  { operationId: "updateRule", path: (ids) => `/api/v1/rules/${ids.ruleId}`, body: () => ({ limit: 25 }) },
  {
    operationId: "getRuleShadow",
    path: (ids) => `/api/v1/rules/${ids.ruleId}/shadow`,
    query: { from: iso(now - 86_400_000), to: iso(now + 3_600_000), limit: "5" },
  },
  {
    operationId: "previewRule",
    path: () => "/api/v1/rules/preview",
    body: () => ({ name: "Preview", scope: "user", metric: "cost_usd", window: "calendar_day", limit: 1, mode: "shadow" }),
  },
  {
    operationId: "createBlock",
    path: () => "/api/v1/blocklist",
    body: () => ({ orgId: "org_bad", reason: "abuse" }),
    keep: (a, ids) => (ids.blockId = a.id),
  },
  { operationId: "listBlocklist", path: () => "/api/v1/blocklist", query: { includeExpired: "true" } },
  { operationId: "getBlock", path: (ids) => `/api/v1/blocklist/${ids.blockId}` },
  {
    operationId: "createAlertChannel",
    path: () => "/api/v1/alert-channels",
    body: () => ({ type: "email", name: "On-call", to: ["oncall@example.com"] }),
    keep: (a, ids) => (ids.channelId = a.id),
  },
  { operationId: "listAlertChannels", path: () => "/api/v1/alert-channels" },
  { operationId: "getAlertChannel", path: (ids) => `/api/v1/alert-channels/${ids.channelId}` },
  { operationId: "updateAlertChannel", path: (ids) => `/api/v1/alert-channels/${ids.channelId}`, body: () => ({ enabled: true }) },
  { operationId: "testAlertChannel", path: (ids) => `/api/v1/alert-channels/${ids.channelId}/test` },
  { operationId: "listAlertDeliveries", path: () => "/api/v1/alert-deliveries", query: { limit: "10" } },
  {
    operationId: "createAlert",
    path: () => "/api/v1/alerts",
    body: (ids) => ({ name: "80% of daily", ruleId: ids.ruleId, percentages: [80, 100], channelIds: [ids.channelId] }),
    keep: (a, ids) => (ids.alertId = a.id),
  },
  { operationId: "listAlerts", path: () => "/api/v1/alerts" },
  { operationId: "getAlert", path: (ids) => `/api/v1/alerts/${ids.alertId}` },
  { operationId: "updateAlert", path: (ids) => `/api/v1/alerts/${ids.alertId}`, body: () => ({ name: "Daily budget" }) },
  { operationId: "listEvents", path: () => "/api/v1/events", query: { userId: "contract_user", limit: "10" } },
  { operationId: "exportEvents", path: () => "/api/v1/events/export", query: { feature: "chat" } },
  { operationId: "getEvent", path: (ids) => `/api/v1/events/${ids.eventId}` },
  {
    operationId: "updateWorkspace",
    path: () => "/api/v1/workspace",
    body: () => ({ name: "Contract workspace", payloadLogging: true, usagePolicy: "No medical advice.", llmLabelRawText: false }),
  },
  { operationId: "getWorkspace", path: () => "/api/v1/workspace" },
  { operationId: "listMembers", path: () => "/api/v1/members", keep: (a, ids) => (ids.ownerMemberId = a.data[0].id) },
  {
    operationId: "createInvitation",
    path: () => "/api/v1/invitations",
    body: () => ({ email: "invitee@example.com", role: "viewer" }),
    keep: (a, ids) => (ids.invitationId = a.id),
  },
  { operationId: "listInvitations", path: () => "/api/v1/invitations" },
  { operationId: "revokeInvitation", path: (ids) => `/api/v1/invitations/${ids.invitationId}` },
  {
    operationId: "changeMemberRole",
    path: (ids) => `/api/v1/members/${ids.memberId}`,
    body: () => ({ role: "admin" }),
    before: async (ids, app) => {
      ids.memberId = (await joinByInvitation(app, { email: "colleague@example.com", role: "viewer" })).memberId;
    },
  },
  { operationId: "removeMember", path: (ids) => `/api/v1/members/${ids.memberId}` },
  { operationId: "getBilling", path: () => "/api/v1/billing" },
  {
    // Enterprise, an owner's key, and a domain the owner's verified address (owner@example.com) is at.
    // Nothing is fetched on save: the issuer is read at the first sign-in (TOKENIST_SSO_ALLOW_INSECURE lets it be http).
    operationId: "putSso",
    path: () => "/api/v1/sso",
    body: () => ({
      protocol: "oidc",
      issuer: "http://127.0.0.1:9/oidc",
      clientId: "tokenist",
      clientSecret: "contract-secret",
      domains: ["example.com"],
      defaultRole: "viewer",
      roleMapping: { "tokenist-admins": "admin" },
    }),
  },
  { operationId: "getSso", path: () => "/api/v1/sso" },
  { operationId: "createBillingCheckout", path: () => "/api/v1/billing/checkout", body: () => ({ plan: "starter" }), billingOn: true },
  { operationId: "createBillingPortal", path: () => "/api/v1/billing/portal", billingOn: true },
  {
    operationId: "record",
    path: () => "/sdk/record",
    body: () => ({
      userId: "contract_user",
      model: "gpt-4o-mini",
      requestId: "contract-2",
      input: "hi",
      output: "hello",
      usage: { inputTokens: 3, outputTokens: 2 },
    }),
  },
  { operationId: "listPayloadLogs", path: () => "/api/v1/logs", query: { limit: "5" }, keep: (a, ids) => (ids.logId = a.data[0]?.id) },
  { operationId: "getPayloadLog", path: (ids) => `/api/v1/logs/${ids.logId}` },
  {
    operationId: "createApiKey",
    path: () => "/api/v1/api-keys",
    body: () => ({ name: "CI", scopes: ["read"] }),
    keep: (a, ids) => (ids.keyId = a.id),
  },
  { operationId: "listApiKeys", path: () => "/api/v1/api-keys" },
  { operationId: "revokeApiKey", path: (ids) => `/api/v1/api-keys/${ids.keyId}` },
  { operationId: "listAuditLogs", path: () => "/api/v1/audit-logs", query: { action: "rule.*", limit: "10" } },
  { operationId: "exportAuditLogs", path: () => "/api/v1/audit-logs/export", query: { targetType: "rule", from: iso(now - 86_400_000) } },
  { operationId: "deleteAlert", path: (ids) => `/api/v1/alerts/${ids.alertId}` },
  { operationId: "deleteAlertChannel", path: (ids) => `/api/v1/alert-channels/${ids.channelId}` },
  { operationId: "deleteBlock", path: (ids) => `/api/v1/blocklist/${ids.blockId}` },
  { operationId: "deleteRule", path: (ids) => `/api/v1/rules/${ids.ruleId}` },
  { operationId: "deleteLabelPolicy", path: (ids) => `/api/v1/label-policies/${ids.policyId}` },
  { operationId: "deleteCustomLabel", path: (ids) => `/api/v1/custom-labels/${ids.customLabelId}` },
  { operationId: "deleteSegment", path: (ids) => `/api/v1/segments/${ids.segmentId}` },
  { operationId: "deleteModelPrice", path: () => "/api/v1/model-prices/acme-llm-1" },
  { operationId: "deleteSso", path: () => "/api/v1/sso" },
];
