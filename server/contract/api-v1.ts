/**
 * Answers of the management API (/api/v1), written once in zod: the OpenAPI document is
 * generated from these, and the contract test validates every answer against it.
 */
import { z } from "zod";
import { POLICY_STAGES, RULE_METRICS, RULE_MODES, RULE_SCOPES, RULE_WINDOWS } from "@/db/schema";

const ZTime = z.string().describe("ISO-8601 UTC timestamp");
const ZNanos = z
  .string()
  .regex(/^-?\d+$/)
  .describe("exact amount in nano-dollars (1e-9 USD), as a decimal string");

export const ZListOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable().describe("pass as `cursor` for the next page; null on the last") });

export const ZRule = z.object({
  id: z.string(),
  name: z.string(),
  scope: z.enum(RULE_SCOPES),
  match: z.string().nullable(),
  filters: z
    .object({
      tier: z.string().optional(),
      feature: z.string().optional(),
      model: z.string().optional(),
      orgId: z.string().optional(),
      segment: z.string().optional(),
    })
    .nullable()
    .describe(
      "which calls count: only those matching every filter (model case-insensitively); null: every call. `scope` says who counts; `segment` (seg_…) limits the rule to that segment's members",
    ),
  metric: z.enum(RULE_METRICS),
  window: z.enum(RULE_WINDOWS),
  limit: z.number(),
  action: z
    .string()
    .describe(
      "block | alert | require_reauth | downgrade_model:<model> | set_tier:<tier> (crossing it assigns the end user that tier: the check is allowed, later calls match the tier's rules, end_user.tier_changed is sent; Growth)",
    ),
  mode: z.enum(RULE_MODES).describe("enforce: the rule decides; shadow: evaluated on every check and counted, the answer unchanged"),
  enabled: z.boolean(),
  createdAt: ZTime,
  updatedAt: ZTime,
});

const ZShadowCounts = {
  checks: z.number().int().describe("checks the rule was evaluated on"),
  wouldDeny: z.number().int().describe("of those, the ones it would have denied (block) or acted on (another action)"),
  wouldDenyCostUsd: z.number().describe("estimated cost of the calls it would have denied"),
  wouldDenyCostNanos: ZNanos,
  endUsers: z.number().int().describe("distinct end users (preview: subjects, see `by`) with at least one would-deny"),
};

export const ZRuleShadow = z.object({
  ruleId: z.string(),
  mode: z.enum(RULE_MODES),
  from: ZTime.describe("start of the first hour counted"),
  to: ZTime,
  ...ZShadowCounts,
  top: z
    .array(z.object({ userId: z.string(), wouldDeny: z.number().int(), wouldDenyCostUsd: z.number() }))
    .describe("end users by would-deny count, most first"),
});

export const ZRulePreview = z.object({
  estimate: z.literal(true),
  from: ZTime,
  to: ZTime,
  by: z.enum(RULE_SCOPES).describe("what endUsers and top count: the rule's subjects (end users for scope user)"),
  ...ZShadowCounts,
  top: z
    .array(z.object({ userId: z.string(), wouldDeny: z.number().int(), wouldDenyCostUsd: z.number() }))
    .describe("subjects by would-deny count, most first (userId: the subject's key, see `by`)"),
});

export const ZBlock = z.object({
  id: z.string(),
  userId: z.string().nullable(),
  orgId: z.string().nullable(),
  reason: z.string().nullable(),
  source: z.enum(["manual", "rule", "automation"]),
  createdBy: z.string().nullable(),
  createdAt: ZTime,
  expiresAt: ZTime.nullable(),
  active: z.boolean(),
});

export const ZTotals = z.object({
  requests: z.number().int(),
  inputTokens: z.number().int(),
  cachedInputTokens: z.number().int(),
  outputTokens: z.number().int(),
  reasoningTokens: z.number().int(),
  totalTokens: z.number().int(),
  costNanos: ZNanos,
  costUsd: z.number(),
  unpricedRequests: z.number().int(),
});

export const ZUsage = z.object({
  dimension: z.string(),
  key: z.string().nullable(),
  from: ZTime,
  to: ZTime,
  interval: z.enum(["minute", "hour", "day"]),
  /** The segment the usage is restricted to, or null. */
  segment: z.string().nullable(),
  totals: ZTotals,
  series: z.array(ZTotals.extend({ t: ZTime })),
});

export const ZTopUsage = z.object({ data: z.array(ZTotals.extend({ key: z.string() })) });

export const ZActiveUsers = z.object({
  from: ZTime,
  to: ZTime,
  interval: z.enum(["day", "week"]),
  data: z.array(
    z.object({
      start: z.string().describe("first UTC day of the period (YYYY-MM-DD); weeks start on Monday"),
      active: z.number().int().describe("distinct end users with at least one request in the period"),
      new: z.number().int().describe("end users first seen in the period"),
    }),
  ),
  totals: z.object({
    active: z.number().int().describe("distinct end users with at least one request in the whole range"),
    new: z.number().int().describe("end users first seen in the range"),
  }),
});

export const ZLabelCount = z.object({
  data: z.array(z.object({ label: z.string(), events: z.number().int(), endUsers: z.number().int() })),
});

export const ZEndUser = z.object({
  userId: z.string(),
  orgId: z.string().nullable(),
  tier: z.string().nullable(),
  firstSeenAt: ZTime,
  lastSeenAt: ZTime,
  requests: z.number().int(),
  totalTokens: z.number().int(),
  costNanos: ZNanos,
  costUsd: z.number(),
  unpricedRequests: z.number().int(),
  blocked: z.boolean(),
  blockedUntil: ZTime.nullable(),
});

export const ZEndUserDetail = z.object({
  userId: z.string(),
  seen: z.boolean(),
  orgId: z.string().nullable(),
  tier: z.string().nullable(),
  /** The tier Tokenist assigned (a set_tier rule, or by hand); it wins over `tier`, the last one the SDK sent. */
  assignedTier: z.string().nullable(),
  tierAssignedAt: ZTime.nullable(),
  firstSeenAt: ZTime.nullable(),
  lastSeenAt: ZTime.nullable(),
  requests: z.number().int(),
  totalTokens: z.number().int(),
  costNanos: ZNanos,
  costUsd: z.number(),
  unpricedRequests: z.number().int(),
  blocks: z.array(ZBlock),
  labels: z.array(z.object({ label: z.string(), count: z.number().int() })),
});

export const ZEvent = z.object({
  id: z.string(),
  requestId: z.string(),
  userId: z.string().nullable(),
  orgId: z.string().nullable(),
  feature: z.string().nullable(),
  tier: z.string().nullable(),
  model: z.string(),
  provider: z.string().nullable(),
  requestType: z.string().nullable(),
  conversationId: z.string().nullable(),
  latencyMs: z.number().int().nullable(),
  inputTokens: z.number().int(),
  cachedInputTokens: z.number().int(),
  outputTokens: z.number().int(),
  reasoningTokens: z.number().int(),
  totalTokens: z.number().int(),
  costNanos: ZNanos,
  costUsd: z.number(),
  priced: z.boolean(),
  labels: z.array(z.string()),
  occurredAt: ZTime,
});

export const ZPayloadLog = z.object({
  id: z.string(),
  requestId: z.string(),
  userId: z.string().nullable(),
  feature: z.string().nullable(),
  source: z.enum(["log", "record"]),
  request: z.unknown(),
  response: z.unknown(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  createdAt: ZTime,
});

export const ZEventDetail = z.object({
  event: ZEvent.extend({ metadata: z.record(z.string(), z.unknown()).nullable() }),
  payloadLogging: z.boolean(),
  payloads: z.array(
    ZPayloadLog.pick({ id: true, source: true, request: true, response: true, metadata: true }).extend({ createdAt: ZTime }),
  ),
});

export const ZApiKey = z.object({
  id: z.string(),
  name: z.string(),
  start: z.string().describe("the first characters of the key"),
  scopes: z.array(z.enum(["sdk", "read", "write", "admin"])),
  createdAt: ZTime,
  lastUsedAt: ZTime.nullable(),
  revokedAt: ZTime.nullable(),
});
export const ZCreatedApiKey = ZApiKey.extend({
  key: z.string().nullable().describe("the secret key, shown this once: null when an Idempotency-Key retry replays this answer"),
});

export const ZChannel = z.object({
  id: z.string(),
  type: z.enum(["email", "slack", "webhook"]),
  name: z.string(),
  config: z.record(z.string(), z.unknown()),
  enabled: z.boolean(),
  createdAt: ZTime,
});

export const ZAlert = z.object({
  id: z.string(),
  name: z.string(),
  ruleId: z.string().nullable(),
  scope: z.enum(RULE_SCOPES),
  match: z.string().nullable(),
  metric: z.enum(RULE_METRICS),
  window: z.enum(RULE_WINDOWS),
  percentages: z.array(z.number()).nullable(),
  values: z.array(z.number()).nullable(),
  channelIds: z.array(z.string()),
  enabled: z.boolean(),
  createdAt: ZTime,
});

export const ZDelivery = z.object({
  id: z.string(),
  channelId: z.string(),
  deliveryKey: z.string(),
  /** sending: a worker is sending it now; skipped: not sent, and not retried (the reason is in `error`, e.g. the plan). */
  status: z.enum(["pending", "sending", "sent", "failed", "skipped"]),
  attempts: z.number().int(),
  responseStatus: z.number().int().nullable(),
  responseBody: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: ZTime,
  deliveredAt: ZTime.nullable(),
});

export const ZWorkspace = z.object({
  id: z.string(),
  name: z.string(),
  plan: z.enum(["free", "starter", "growth", "enterprise"]),
  payloadLogging: z.boolean(),
  redactPayloads: z.boolean(),
  usagePolicy: z.string().nullable(),
  /** The LLM labeller gets the text unredacted (false: personal data and secrets masked first). */
  llmLabelRawText: z.boolean(),
  retentionDays: z.number().int().describe("days events and payloads are kept: the plan's, or the workspace's own (Enterprise)"),
  customRetention: z.boolean().describe("true when retentionDays is the workspace's own rather than the plan's"),
  createdAt: ZTime,
});

export const ZDeleted = z.object({ id: z.string(), deleted: z.literal(true) });

const ZRoleOut = z.enum(["owner", "admin", "developer", "viewer"]);
export const ZMember = z.object({
  id: z.string().describe("the member's id (mem_…), as PATCH and DELETE /api/v1/members/{id} take it"),
  email: z.string(),
  name: z.string().nullable(),
  role: ZRoleOut,
  joinedAt: ZTime,
});
export const ZMemberRole = z.object({ id: z.string(), role: ZRoleOut });
export const ZMemberRemoved = z.object({ id: z.string(), removed: z.literal(true) });
export const ZInvitation = z.object({ id: z.string(), email: z.string(), role: ZRoleOut, createdAt: ZTime, expiresAt: ZTime });
export const ZCreatedInvitation = ZInvitation.extend({
  token: z
    .string()
    .nullable()
    .describe("the link's secret, shown this once (stored only hashed): null when an Idempotency-Key retry replays this answer"),
  url: z.string().nullable().describe("the invitation link to send the invitee: /invite/{token} on the dashboard"),
});
export const ZInvitationRevoked = z.object({ id: z.string(), revoked: z.literal(true) });
export const ZBilling = z.object({
  billingEnabled: z.boolean().describe("false when self-hosted without Stripe: checkout and portal answer 404"),
  plan: z.enum(["free", "starter", "growth", "enterprise"]).describe("the plan on record"),
  effectivePlan: z.enum(["free", "starter", "growth", "enterprise"]).describe("the plan in force now (a lapsed subscription is Free)"),
  status: z.string().nullable().describe("Stripe's subscription status: trialing, active, past_due, canceled…; null without one"),
  trialEndsAt: ZTime.nullable(),
  currentPeriodEnd: ZTime.nullable(),
  graceUntil: ZTime.nullable(),
  requests: z.number().int().describe("tracked requests this calendar month (UTC)"),
  includedRequests: z.number().int().nullable().describe("the plan's monthly requests (the Free cap on Free); null when unlimited"),
  projectedRequests: z.number().int().describe("this month's requests at the pace so far"),
  resetsAt: ZTime,
  hardCap: z.boolean().describe("requests past the included ones are refused (Free) rather than billed as overage"),
  overageUsd: z.number().describe("overage so far this month, in US dollars"),
  projectedOverageUsd: z.number().describe("overage at the month's end at the pace so far, in US dollars"),
});
export const ZSso = z.object({
  protocol: z.enum(["oidc", "saml"]),
  issuer: z.string().nullable().describe("OIDC: the issuer URL (its /.well-known/openid-configuration is read)"),
  clientId: z.string().nullable(),
  hasClientSecret: z.boolean().describe("OIDC: whether a client secret is stored (it is write-only: never returned)"),
  metadataUrl: z.string().nullable().describe("SAML: where the IdP metadata was fetched from, when given by URL"),
  metadataXml: z.string().nullable().describe("SAML: the IdP metadata in use"),
  idpEntityId: z.string().nullable().describe("SAML: the IdP's entity id, read from the metadata (assertions must be issued by it)"),
  idpSsoUrl: z.string().nullable().describe("SAML: where AuthnRequests go, read from the metadata"),
  domains: z
    .array(z.string())
    .describe('e-mail domains that sign in here ("Continue with SSO"); each one an owner\'s verified address is at'),
  enforced: z.boolean().describe("password and social sign-in refused for these domains (the workspace's owners keep their password)"),
  defaultRole: z.enum(["admin", "developer", "viewer"]).describe("the role of a member who joins by SSO with no mapped group"),
  roleMapping: z.record(z.string(), z.enum(["admin", "developer", "viewer"])).describe("IdP group → role; the most powerful match wins"),
  testedAt: ZTime.nullable().describe("the last successful test sign-in of this configuration; enforcing needs one"),
  lastTest: z
    .object({
      ok: z.boolean(),
      at: z.string(),
      email: z.string().optional(),
      groups: z.array(z.string()).optional(),
      role: z.string().optional(),
      error: z.string().optional(),
    })
    .nullable(),
  serviceProvider: z
    .object({ redirectUri: z.string(), entityId: z.string(), metadataUrl: z.string(), acsUrl: z.string() })
    .describe("what to register at the identity provider: the OIDC redirect URI, or the SAML entity id and ACS URL"),
  createdAt: ZTime,
  updatedAt: ZTime,
});

export const ZSsoDeleted = z.object({ deleted: z.literal(true) });
export const ZRedirectUrl = z.object({ url: z.string().describe("open it in a browser: Stripe's hosted page") });

export const ZLabelPolicy = z.object({
  id: z.string(),
  name: z.string(),
  label: z.string(),
  minCount: z.number().int(),
  windowSeconds: z.number().int(),
  action: z.enum(["block", "throttle", "require_reauth", "alert"]),
  stage: z
    .enum(POLICY_STAGES)
    .describe(
      "record: labels of recorded calls count; check: the check's own input label counts at once (minCount 1 denies that very call); content: the check's reading of the call's tool results and retrieved content (contentLabels; label jailbreak, minCount 1, block refuses that call with reason content and never blocks the end user, alert reports it)",
    ),
  durationSeconds: z.number().int().nullable(),
  ratePerMinute: z.number().int().nullable(),
  enabled: z.boolean(),
  mode: z
    .enum(["enforce", "shadow"])
    .describe(
      "shadow: evaluated and its would-have firings recorded (GET /api/v1/label-policies/{id}/shadow); nothing is enforced or sent",
    ),
  filters: z.object({ segment: z.string().optional() }).nullable().describe("segment (seg_…): act only on its members; null: everyone"),
  createdAt: ZTime,
  updatedAt: ZTime,
});

export const ZPolicyShadow = z.object({
  policyId: z.string(),
  mode: z.enum(["enforce", "shadow"]),
  from: ZTime,
  to: ZTime,
  checks: z
    .number()
    .int()
    .describe(
      "labels the policy watched in the range (its label, at its stage); for the content stage, whose labels are never stored, the policy's firings",
    ),
  wouldDeny: z.number().int().describe("its would-have firings while in shadow mode (nothing was blocked, throttled or sent)"),
  endUsers: z.number().int().describe("distinct end users with a would-have firing"),
  top: z.array(z.object({ userId: z.string(), wouldDeny: z.number().int() })).describe("end users by would-have firings, most first"),
});

export const ZCustomLabelOut = z.object({ id: z.string(), name: z.string(), description: z.string(), createdAt: ZTime, updatedAt: ZTime });

export const ZLabelsPerDayOut = z.object({
  data: z.array(z.object({ day: z.string(), label: z.string(), events: z.number().int(), endUsers: z.number().int() })),
});

const ZLlmCostLine = z.object({
  calls: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  totalTokens: z.number().int(),
  costNanos: z.string().describe("Exact cost in nano-dollars (1e-9 USD), as a decimal string"),
  costUsd: z.number(),
  unpricedCalls: z.number().int().describe("Calls whose model has no list price (counted, not priced)"),
});

export const ZLlmLabellingCostOut = ZLlmCostLine.extend({
  configured: z
    .boolean()
    .describe("Whether an LLM labels events (OPENAI_API_KEY set); without one the built-in classifier labels at no cost"),
  model: z.string().nullable().describe("The labeller's model; null when no LLM is configured"),
  from: z.string(),
  to: z.string(),
  byModel: z.array(ZLlmCostLine.extend({ model: z.string() })),
});

const ZBreakdownKey = z.string().nullable().optional();
export const ZUsageBreakdown = ZListOf(
  z
    .object({
      userId: ZBreakdownKey,
      orgId: ZBreakdownKey,
      feature: ZBreakdownKey,
      model: ZBreakdownKey,
      tier: ZBreakdownKey,
      requests: z.number().int(),
      inputTokens: z.number().int(),
      outputTokens: z.number().int(),
      totalTokens: z.number().int(),
      costNanos: ZNanos,
      costUsd: z.number(),
      unpricedRequests: z.number().int(),
    })
    .describe("one group: a key per dimension of `by` (only those; null where the events had none), and its sums"),
);

export const ZSegmentFilterOut = z.object({
  tier: z.string().optional(),
  orgId: z.string().optional(),
  feature: z.string().optional(),
  labels: z.array(z.string()).optional(),
  labelWithinDays: z.number().int().optional(),
  minCostUsd: z.number().optional(),
  maxCostUsd: z.number().optional(),
  costWithinDays: z.number().int().optional(),
  activeWithinDays: z.number().int().optional(),
  firstSeenAfter: z.string().optional(),
  firstSeenBefore: z.string().optional(),
  blocked: z.boolean().optional(),
});
export const ZSegment = z.object({ id: z.string(), name: z.string(), filter: ZSegmentFilterOut, createdAt: ZTime, updatedAt: ZTime });

export const ZCohorts = z.object({
  cohorts: z.array(
    z.object({
      start: z.string().describe("first day of the cohort's period, YYYY-MM-DD (UTC; weeks start on Monday)"),
      size: z.number().int().describe("end users first seen in that period"),
      values: z
        .array(z.number())
        .describe("the metric for the cohort's end users in its own period (0) and each later period that has started"),
    }),
  ),
});

const ZPerMillionUsd = z.number().describe("USD per million tokens");
const ZPriceFields = {
  inputPerMillionUsd: ZPerMillionUsd,
  outputPerMillionUsd: ZPerMillionUsd,
  cachedInputPerMillionUsd: ZPerMillionUsd.nullable(),
  cacheWritePerMillionUsd: ZPerMillionUsd.nullable(),
  reasoningPerMillionUsd: ZPerMillionUsd.nullable(),
  audioInputPerMillionUsd: ZPerMillionUsd.nullable(),
  audioOutputPerMillionUsd: ZPerMillionUsd.nullable(),
};
export const ZModelPriceOut = z.object({
  model: z.string().describe("lower-cased, as calls are matched"),
  ...ZPriceFields,
  updatedAt: ZTime,
});
export const ZResolvedModelPrice = z.object({
  model: z.string(),
  source: z.enum(["custom", "catalogue", "unknown"]).describe("where a call recorded now takes its price from; unknown → $0, unpriced"),
  matchedModel: z.string().nullable().describe("the catalogue's model id (or the custom price's model)"),
  provider: z.string().nullable(),
  tiered: z.boolean().describe("the catalogue price changes with the prompt's size; the prices shown are the base tier"),
  inputPerMillionUsd: ZPerMillionUsd.nullable(),
  outputPerMillionUsd: ZPerMillionUsd.nullable(),
  cachedInputPerMillionUsd: ZPerMillionUsd.nullable(),
  cacheWritePerMillionUsd: ZPerMillionUsd.nullable(),
  reasoningPerMillionUsd: ZPerMillionUsd.nullable(),
  audioInputPerMillionUsd: ZPerMillionUsd.nullable(),
  audioOutputPerMillionUsd: ZPerMillionUsd.nullable(),
  updatedAt: ZTime.nullable(),
});
export const ZModelPriceDeleted = z.object({ model: z.string(), deleted: z.literal(true) });

export const ZAuditLog = z.object({
  id: z.string().describe("aud_…, time-ordered"),
  at: ZTime,
  actor: z.object({
    type: z.enum(["member", "api_key", "system"]),
    id: z.string().nullable().describe("the member's or API key's id; null for the system"),
    label: z.string().describe("the member's e-mail, the API key's name and first characters, or \"system\" (automations, jobs)"),
  }),
  action: z.string().describe("what was done, e.g. rule.create, blocklist.create, api_key.revoke"),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).nullable().describe("what changed; secrets never appear (redacted)"),
});
