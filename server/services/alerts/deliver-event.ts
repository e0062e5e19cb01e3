import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { alertChannels } from "@/db/schema";
import { EVENTS, type EventName } from "@/server/events/catalogue";
import type { AlertMessage } from "../channels/send";
import { deliverOnce, isSettled } from "./deliver";

/** The public name of a domain event in webhook payloads: "tokenist/end_user.blocked" → "end_user.blocked". */
export const webhookType = (name: EventName) => name.slice(name.indexOf("/") + 1);

/** The automation events a workspace's webhook channels receive (limit.crossed has its own delivery). */
export const WEBHOOK_EVENTS = [
  EVENTS.endUserBlocked,
  EVENTS.endUserUnblocked,
  EVENTS.endUserLabelled,
  EVENTS.endUserTierChanged,
  EVENTS.policyFired,
] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

/**
 * A domain event as a webhook body: `{ id, type, createdAt, workspaceId, data }`. The id is stable
 * across retries (the outbox entry's), so a receiver can drop a redelivery it already handled.
 */
export function webhookMessage(name: WebhookEventName, input: { outboxId: number; payload: Record<string, unknown> }): AlertMessage {
  const { workspaceId, outboxId: _, ...data } = input.payload;
  const type = webhookType(name);
  const at = typeof data.at === "string" ? data.at : new Date().toISOString();
  return {
    subject: `[Tokenist] ${type}`,
    text: `${type}: ${JSON.stringify(data)}`,
    payload: { id: `whe_${input.outboxId}`, type, createdAt: at, workspaceId, data },
  };
}

const CHANNEL_CONCURRENCY = 4;

/**
 * Deliver one automation event to every enabled webhook channel of the workspace, at most once
 * per channel and outbox entry (deliverOnce: the plan is re-checked at send time, so a workspace
 * below Growth gets the delivery logged as skipped and nothing sent). Throws when a channel failed,
 * so the outbox retries; channels already sent are left alone then.
 */
export async function deliverWebhookEvent(
  db: Db,
  input: { name: WebhookEventName; outboxId: number; workspaceId: string; payload: Record<string, unknown> },
) {
  const channels = await db
    .select()
    .from(alertChannels)
    .where(and(eq(alertChannels.workspaceId, input.workspaceId), eq(alertChannels.type, "webhook"), eq(alertChannels.enabled, true)));
  const message = webhookMessage(input.name, input);
  const queue = [...channels];
  const results: Awaited<ReturnType<typeof deliverOnce>>[] = [];
  const work = async () => {
    for (let channel = queue.shift(); channel; channel = queue.shift())
      results.push(await deliverOnce(db, channel, `outbox:${input.outboxId}`, message));
  };
  await Promise.all(Array.from({ length: Math.min(CHANNEL_CONCURRENCY, queue.length) }, work));
  const open = results.filter((r) => !isSettled(r.status));
  if (open.length) {
    const why = open.map((r) => (r.status === "sending" ? "still being sent by another worker" : r.error));
    throw new Error(`${open.length} of ${results.length} webhook deliveries failed: ${why.join("; ")}`);
  }
  return { delivered: results.filter((r) => !r.skipped).length, skipped: results.filter((r) => r.skipped).length };
}
