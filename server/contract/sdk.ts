/**
 * The public contract of /sdk/* (shared/API.md), written once in zod.
 * Route handlers parse with these schemas; the SDK's types are generated from them
 * (`npm run sdk:types`), and the OpenAPI document is derived from them.
 */
import { z } from "zod";

export const REQUEST_TYPES = [
  "chat",
  "responses",
  "realtime",
  "embeddings",
  "completion",
  "image",
  "audio",
  "other",
] as const;
export const ZRequestType = z.enum(REQUEST_TYPES);

/** Identifiers the customer sends: short, printable, no control characters. */
const ZIdent = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .regex(/^[^\u0000-\u001f\u007f]+$/, "must not contain control characters");

const ZChatMessage = z
  .object({
    role: z.string().max(64).optional(),
    content: z.unknown().optional(),
  })
  .passthrough();

/** Prompt text, or an array of chat messages (OpenAI / Anthropic shape). */
export const ZInputText = z.union([z.string().max(1_000_000), z.array(ZChatMessage).max(10_000)]);

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
  reason: z.enum(["blocked", "limit_exceeded", "policy"]).nullable(),
  message: z.string().nullable(),
  retryAfterSeconds: z.number().int().nullable(),
  blockedUntil: z.string().nullable(),
  limits: z.array(ZLimitState),
  actions: z.array(z.string()),
  /** Set by the SDK only, when it failed open. */
  degraded: z.boolean().optional(),
});
export type TCheckResult = z.infer<typeof ZCheckResult>;

/** A provider usage object as returned; parsed by server/services/metering/usage.ts. */
export const ZUsageObject = z.record(z.string(), z.unknown());

export const ZRecordInput = z.object({
  userId: ZIdent.nullish(),
  orgId: ZIdent.nullish(),
  feature: ZIdent.nullish(),
  tier: ZIdent.nullish(),
  model: z.string().trim().min(1).max(256),
  provider: z.string().trim().min(1).max(64).nullish(),
  requestType: ZRequestType.nullish(),
  usage: ZUsageObject,
  requestId: ZIdent.nullish(),
  conversationId: ZIdent.nullish(),
  latencyMs: z.number().int().min(0).max(86_400_000).nullish(),
  input: ZInputText.nullish(),
  output: z.string().max(1_000_000).nullish(),
  /** Accepted as another name for `output`. */
  sentiment: z.string().max(1_000_000).nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  timestamp: z.iso.datetime({ offset: true }).nullish(),
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

export const ZRecordResult = z.object({
  id: z.string(),
  duplicate: z.boolean(),
  costUsd: z.number(),
  /** The same cost as an exact decimal string of nano-dollars (1e-9 USD). */
  costNanos: z.string(),
  tokens: ZTokens,
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
