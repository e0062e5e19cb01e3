/**
 * The public contract of /sdk/* (shared/API.md), written once in zod.
 * Route handlers parse with these schemas; the SDK's types are generated from them
 * (`npm run sdk:types`), and the OpenAPI document is derived from them.
 */
import { z } from "zod";

export const REQUEST_TYPES = ["chat", "responses", "realtime", "embeddings", "completion", "image", "audio", "other"] as const;
export const ZRequestType = z.enum(REQUEST_TYPES);

/**
 * Identifiers the customer sends (userId, orgId, feature, ...), cleaned the same way on every
 * door that writes or matches them: control characters dropped, lone surrogates made U+FFFD
 * (what Postgres would store), then trimmed. So what an end user can put in an id never makes
 * a door refuse the call, and a block written for an id matches the id as checked.
 */
export const ZIdent = z.string().transform(cleanIdent).pipe(z.string().min(1, "must not be empty").max(256));

/** The identifier as stored and matched: see ZIdent. */
export function cleanIdent(value: string): string {
  return value
    .toWellFormed()
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, "")
    .trim();
}

/** The most text a call's `input` / `output` keeps (characters); longer text is cut, never refused. */
export const MAX_TEXT_CHARS = 1_000_000;
/** The most chat messages a call's `input` keeps: the latest ones. */
export const MAX_MESSAGES = 10_000;

/** End-user text: cut to MAX_TEXT_CHARS (control characters and lone surrogates are cleaned when the body is read). */
const ZText = z.string().transform((s) => (s.length > MAX_TEXT_CHARS ? s.slice(0, MAX_TEXT_CHARS).toWellFormed() : s));

const ZChatMessage = z
  .object({
    role: z.string().max(64).optional(),
    content: z.unknown().optional(),
  })
  .passthrough();

/** Prompt text, or an array of chat messages (OpenAI / Anthropic shape). */
export const ZInputText = z.union([ZText, z.array(ZChatMessage).transform((m) => (m.length > MAX_MESSAGES ? m.slice(-MAX_MESSAGES) : m))]);

export const ZCheckInput = z.object({
  userId: ZIdent,
  orgId: ZIdent.nullish(),
  feature: ZIdent.nullish(),
  tier: ZIdent.nullish(),
  model: z.string().trim().min(1).max(256).nullish(),
  requestType: ZRequestType.nullish(),
  input: ZInputText.nullish(),
  estimatedTokens: z.number().int().min(0).max(100_000_000).nullish(),
});
export type TCheckInput = z.infer<typeof ZCheckInput>;

export const ZQuota = z.object({
  exceeded: z.boolean(),
  /** When tracking resumes: the 1st of next month, 00:00 UTC. */
  resetsAt: z.string(),
});

export const ZLimitState = z.object({
  ruleId: z.string(),
  name: z.string(),
  metric: z.enum(["requests", "tokens", "cost_usd"]),
  window: z.enum(["minute", "hour", "day", "calendar_day", "calendar_month"]),
  used: z.number(),
  limit: z.number(),
  remaining: z.number(),
  resetsAt: z.string().nullable(),
});

export const ZCheckResult = z.object({
  allowed: z.boolean(),
  labels: z.array(z.string()),
  /**
   * The tool results and retrieved content of this turn (`role: "tool"` messages, `tool_result`
   * parts, `function_call_output` items): `["jailbreak"]` when one carries a prompt injection,
   * `["safe"]` when none does, `[]` when the input sent none. Not counted against the end user.
   */
  contentLabels: z.array(z.string()).optional(),
  /**
   * blocked: on the blocklist; limit_exceeded: a rule; policy: a label policy's block or throttle;
   * label: a check-stage label policy denied this very call; content: a content-stage label policy
   * refused this very call for its tool results or retrieved content (the end user is not blocked).
   */
  reason: z.enum(["blocked", "limit_exceeded", "policy", "label", "content"]).nullable(),
  message: z.string().nullable(),
  retryAfterSeconds: z.number().int().nullable(),
  blockedUntil: z.string().nullable(),
  limits: z.array(ZLimitState),
  actions: z.array(z.string()),
  /**
   * Names this allowed check: pass it to /sdk/record, which then settles exactly this check's
   * reservation and takes model, feature, tier and org from it. Null when the call was denied.
   */
  checkId: z.string().nullable().optional(),
  /** The workspace's plan quota: `exceeded` past the Free plan's monthly cap (checks go on deciding; records are not stored). */
  quota: ZQuota.optional(),
  /** Set by the SDK only, when it failed open. */
  degraded: z.boolean().optional(),
});
export type TCheckResult = z.infer<typeof ZCheckResult>;

/** A provider usage object as returned; parsed by server/services/core/usage.ts. */
export const ZUsageObject = z.record(z.string(), z.unknown());

export const ZRecordInput = z
  .object({
    userId: ZIdent.nullish(),
    orgId: ZIdent.nullish(),
    feature: ZIdent.nullish(),
    tier: ZIdent.nullish(),
    /** The check this call followed (its `checkId`): settles that check and fills model, feature, tier and org from it. */
    checkId: ZIdent.nullish(),
    /** Optional: else the check's, else the usage or response object's; else the event is stored unpriced (`model_missing`). */
    model: z.string().transform(cleanIdent).pipe(z.string().min(1).max(256)).nullish(),
    provider: z.string().trim().min(1).max(64).nullish(),
    requestType: ZRequestType.nullish(),
    /** The provider's usage object. Without it (a stream left early) the check's estimate and the output text are counted (`usage_estimated`). */
    usage: ZUsageObject.nullish(),
    requestId: ZIdent.nullish(),
    conversationId: ZIdent.nullish(),
    latencyMs: z.number().int().min(0).max(86_400_000).nullish(),
    input: ZInputText.nullish(),
    output: ZText.nullish(),
    /** Accepted as another name for `output`. */
    sentiment: ZText.nullish(),
    metadata: z.record(z.string(), z.unknown()).nullish(),
    timestamp: z.iso.datetime({ offset: true }).nullish(),
  })
  .refine((r) => r.usage || r.checkId || r.userId, {
    // Without usage the check's estimate stands in; with no check and no user there is nothing to count.
    message: "usage is required unless the record names its check (checkId) or its end user (userId)",
    path: ["usage"],
  });
export type TRecordInput = z.infer<typeof ZRecordInput>;

export const ZTokens = z.object({
  input: z.number().int(),
  cachedInput: z.number().int(),
  cacheWrite: z.number().int(),
  output: z.number().int(),
  reasoning: z.number().int(),
  audioInput: z.number().int(),
  audioOutput: z.number().int(),
  total: z.number().int(),
});

/** Warnings a record can answer with (the call is stored either way). */
export const RECORD_WARNINGS = ["unknown_model_price", "model_missing", "usage_estimated", "check_not_found"] as const;

export const ZRecordResult = z.object({
  /** True: stored (or already stored: `duplicate`). The SDK answers `recorded: false` when it could not store it. */
  recorded: z.literal(true),
  id: z.string(),
  duplicate: z.boolean(),
  costUsd: z.number(),
  /** The same cost as an exact decimal string of nano-dollars (1e-9 USD). */
  costNanos: z.string(),
  tokens: ZTokens,
  /** The model the call was priced as (given, from the check, or from the usage object); null when none was known. */
  model: z.string().nullable(),
  /** The check this record settled, if any: a check and its record count as one tracked request. */
  settledCheckId: z.string().nullable(),
  warnings: z.array(z.string()),
});
export type TRecordResult = z.infer<typeof ZRecordResult>;

export const ZLogInput = z.object({
  requestId: ZIdent.nullish(),
  userId: ZIdent.nullish(),
  feature: ZIdent.nullish(),
  request: z.unknown().optional(),
  response: z.unknown().optional(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
});
export type TLogInput = z.infer<typeof ZLogInput>;

export const ZLogResult = z.union([
  z.object({ logged: z.literal(true), id: z.string() }),
  z.object({ logged: z.literal(false), reason: z.literal("payload_logging_disabled") }),
]);
export type TLogResult = z.infer<typeof ZLogResult>;

export const ERROR_CODES = [
  "invalid_request",
  "invalid_json",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "quota_exceeded",
  "payload_too_large",
  "rate_limited",
  "internal_error",
] as const;

export const ZErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type TErrorBody = z.infer<typeof ZErrorBody>;
