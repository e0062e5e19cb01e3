import { z } from "zod";

/** Event names and payloads, parsed first thing in every function. */
export const EVENT_RECORDED = "tokenist/event.recorded";
export const LIMIT_CROSSED = "tokenist/limit.crossed";

export const ZOutboxEnvelope = z.object({ workspaceId: z.string(), outboxId: z.number().int() });

export const ZEventRecorded = ZOutboxEnvelope.extend({
  eventId: z.string(),
  requestId: z.string(),
  userId: z.string().nullable(),
  conversationId: z.string().nullable(),
  hasText: z.boolean(),
});
