import type { Db } from "@/db/client";
import { deliverCrossing } from "../alerts/deliver-crossing";
import { evaluateAlertsForEvent } from "../alerts/evaluate-alerts";
import { notifyQuotaCrossed } from "../billing/notify-owners";
import { labelRecordedEvent } from "../intent/label-event";

/** One outbox entry as a handler sees it. */
export interface OutboxEntry {
  id: number;
  workspaceId: string;
  name: string;
  payload: Record<string, unknown>;
}

export type Handler = (db: Db, entry: OutboxEntry) => Promise<unknown>;

/**
 * What reacts to each domain event. Inngest functions (inngest/functions/*) call the same
 * services, one function per handler; without Inngest the outbox worker calls these.
 * Every handler is idempotent: an entry delivered twice has one effect.
 */
export const HANDLERS: Record<string, Record<string, Handler>> = {
  "tokenist/event.recorded": {
    "evaluate-alerts": (db, e) => evaluateAlertsForEvent(db, { workspaceId: e.workspaceId, eventId: String(e.payload.eventId) }),
    // Intent labels (LLM or built-in) → end-user labels → label policies.
    "label-event": (db, e) =>
      labelRecordedEvent(db, { workspaceId: e.workspaceId, eventId: String(e.payload.eventId), hasText: e.payload.hasText !== false }),
  },
  "tokenist/quota.crossed": {
    "notify-owners": (db, e) => notifyQuotaCrossed(db, { workspaceId: e.workspaceId, payload: { ...e.payload, workspaceId: e.workspaceId } }),
  },
  "tokenist/limit.crossed": {
    "deliver-alert": (db, e) => deliverCrossing(db, { outboxId: e.id, payload: { ...e.payload, workspaceId: e.workspaceId } }),
  },
};

/** Extra handlers registered by other domains (intent labelling, billing) at import time. */
export function registerHandler(event: string, id: string, handler: Handler) {
  HANDLERS[event] = { ...HANDLERS[event], [id]: handler };
}
