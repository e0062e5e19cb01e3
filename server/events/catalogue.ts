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

/** The payload schema of each event, as delivered (outbox payload plus the envelope). */
export const CATALOGUE = {
  [EVENTS.eventRecorded]: ZEventRecorded,
  [EVENTS.limitCrossed]: ZCrossed,
  [EVENTS.quotaCrossed]: ZCrossed,
} satisfies Record<EventName, z.ZodType>;

export type EventPayload<E extends EventName> = z.output<(typeof CATALOGUE)[E]>;
/** What a publisher writes to the outbox: the delivered payload without the envelope. */
export type OutboxPayload<E extends EventName> = Omit<z.input<(typeof CATALOGUE)[E]>, "workspaceId" | "outboxId">;

export const EVENT_NAMES = Object.values(EVENTS);
