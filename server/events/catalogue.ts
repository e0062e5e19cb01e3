import { z } from "zod";

/**
 * Every domain event: its name and its payload. The bottom layer of background work: services
 * publish these names (server/events/publish.ts), server/events/reactions.ts says what reacts
 * to each, and both the in-process outbox and Inngest parse the payload with the schema here.
 * Imports nothing but zod, so any layer may import it.
 */
export const EVENTS = {
  eventRecorded: "tokenist/event.recorded",
  limitCrossed: "tokenist/limit.crossed",
  quotaCrossed: "tokenist/quota.crossed",
  endUserBlocked: "tokenist/end_user.blocked",
  endUserUnblocked: "tokenist/end_user.unblocked",
  endUserLabelled: "tokenist/end_user.labelled",
  endUserTierChanged: "tokenist/end_user.tier_changed",
  policyFired: "tokenist/policy.fired",
} as const;
export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

/** Added to every payload on delivery: the workspace column and the outbox id (the idempotency key). */
export const ZOutboxEnvelope = z.object({ workspaceId: z.string(), outboxId: z.number().int() });

export const ZEventRecorded = ZOutboxEnvelope.extend({
  eventId: z.string(),
  requestId: z.string(),
  userId: z.string().nullable(),
  conversationId: z.string().nullable(),
  hasText: z.boolean(),
});

/** A threshold reached (rule, alert, label policy, plan quota), as fireOnce writes it. */
export const ZCrossingPayload = z.object({
  workspaceId: z.string(),
  sourceType: z.enum(["rule", "alert", "policy"]),
  event: z.string().optional(),
  sourceId: z.string(),
  alertId: z.string().nullish(),
  name: z.string(),
  subject: z.object({ dimension: z.string(), key: z.string() }),
  metric: z.string(),
  window: z.string(),
  threshold: z.string(),
  used: z.number(),
  limit: z.number(),
  at: z.string(),
  period: z.string().optional(),
});
export type TCrossingPayload = z.infer<typeof ZCrossingPayload>;

export const ZCrossed = ZCrossingPayload.extend(ZOutboxEnvelope.shape);

/** Who made a change that a webhook event reports (the audit log's actor, without secrets). */
export const ZEventActor = z.object({ type: z.enum(["member", "api_key", "system"]), id: z.string().nullable() });

/**
 * A blocklist entry added (by a member, an API key or a label policy) or removed. On
 * end_user.blocked `reason` is the entry's reason; on end_user.unblocked it says why the block
 * ended ("removed" by a member or key, "expired") and `blockReason` is the entry's reason.
 */
export const ZEndUserBlockChange = ZOutboxEnvelope.extend({
  blocklistId: z.string(),
  subjectType: z.enum(["user", "org"]),
  subjectId: z.string(),
  reason: z.string().nullable(),
  blockReason: z.string().nullable().optional(),
  expiresAt: z.string().nullable(),
  source: z.string(),
  actor: ZEventActor,
  at: z.string(),
});

/** New intent labels on an end user (from one recorded call, or a check's own input). */
export const ZEndUserLabelled = ZOutboxEnvelope.extend({
  userId: z.string(),
  labels: z.array(z.string()).min(1),
  eventId: z.string().nullable(),
  checkId: z.string().nullable().optional(),
  /** The labeller: "llm", "builtin", ... */
  source: z.string(),
  /** record: labels of a recorded call; check: the check's own input (check-stage policies). */
  stage: z.enum(["record", "check"]).optional(),
  at: z.string(),
});

/** An end user's assigned tier changed (a set_tier rule crossed, or set by hand). */
export const ZEndUserTierChanged = ZOutboxEnvelope.extend({
  userId: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  ruleId: z.string().nullable(),
  actor: ZEventActor,
  at: z.string(),
});

/** A label policy fired for an end user (any action); shadow firings are not published. */
export const ZPolicyFired = ZOutboxEnvelope.extend({
  policyId: z.string(),
  policyName: z.string(),
  firingId: z.string(),
  userId: z.string(),
  action: z.string(),
  label: z.string(),
  count: z.number().int(),
  minCount: z.number().int(),
  windowSeconds: z.number().int(),
  stage: z.enum(["record", "check", "content"]).optional(),
  /** The recorded call whose label made it fire (record stage), or the check's id (check and content stages). */
  eventId: z.string().nullable(),
  checkId: z.string().nullable().optional(),
  /** The blocklist entry a `block` policy added (its end_user.blocked is sent too). */
  blocklistId: z.string().nullable().optional(),
  expiresAt: z.string(),
  at: z.string(),
});

/** The payload schema of each event, as delivered (outbox payload plus the envelope). */
export const CATALOGUE = {
  [EVENTS.eventRecorded]: ZEventRecorded,
  [EVENTS.limitCrossed]: ZCrossed,
  [EVENTS.quotaCrossed]: ZCrossed,
  [EVENTS.endUserBlocked]: ZEndUserBlockChange,
  [EVENTS.endUserUnblocked]: ZEndUserBlockChange,
  [EVENTS.endUserLabelled]: ZEndUserLabelled,
  [EVENTS.endUserTierChanged]: ZEndUserTierChanged,
  [EVENTS.policyFired]: ZPolicyFired,
} satisfies Record<EventName, z.ZodType>;

export type EventPayload<E extends EventName> = z.output<(typeof CATALOGUE)[E]>;
/** What a publisher writes to the outbox: the delivered payload without the envelope. */
export type OutboxPayload<E extends EventName> = Omit<z.input<(typeof CATALOGUE)[E]>, "workspaceId" | "outboxId">;

export const EVENT_NAMES = Object.values(EVENTS);
