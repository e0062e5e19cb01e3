import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { alertChannels } from "@/db/schema";
import { EVENTS, type EventName, type EventPayload } from "@/server/events/catalogue";
import type { AlertMessage } from "../channels/send";
import { deliverOnce, isSettled } from "./deliver";
import { formatSeconds } from "../core/time";

type ChannelRow = typeof alertChannels.$inferSelect;

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

/** Every type a webhook channel can receive, as named in payloads and in a channel's `events` subscription. */
export const WEBHOOK_TYPES = ["limit.crossed", ...WEBHOOK_EVENTS.map(webhookType)] as [string, ...string[]];

/** The stable id of a webhook event: the outbox entry's, the same on every retry. */
export const webhookEventId = (outboxId: number | string) => `whe_${outboxId}`;

/**
 * Does this channel take events of `type`? Channels other than webhooks take what is routed to
 * them; a webhook takes every type unless its config lists `events` (null or absent: all).
 */
export function subscribes(channel: Pick<ChannelRow, "type" | "config">, type: string): boolean {
  if (channel.type !== "webhook") return true;
  const events = (channel.config as { events?: unknown }).events;
  return !Array.isArray(events) || events.includes(type);
}

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
    payload: { id: webhookEventId(input.outboxId), type, createdAt: at, workspaceId, data },
  };
}

/** An `alert` label policy's firing in words, for e-mail and Slack channels. */
export function policyAlertMessage(p: EventPayload<typeof EVENTS.policyFired>): Pick<AlertMessage, "subject" | "text"> {
  return {
    subject: `[Tokenist] ${p.policyName}: user ${p.userId} labelled ${p.label} ${p.count} times`,
    text: `user ${p.userId} got the label "${p.label}" ${p.count} times within ${formatSeconds(p.windowSeconds)}; the label policy "${p.policyName}" fires at ${p.minCount}.\nAt ${p.at}.`,
  };
}

/** Channels sent to at once for one entry: the entry takes about one delivery deadline per round. */
const CHANNEL_CONCURRENCY = 4;

/**
 * Send each (channel, message) once for the outbox entry (deliverOnce: the plan is re-checked at
 * send time, so a workspace below the channel's plan gets the delivery logged as skipped and
 * nothing sent). Throws when a channel failed, so the outbox retries; channels already sent or
 * skipped are left alone then.
 */
export async function deliverToChannels(
  db: Db,
  outboxId: number | string,
  targets: Array<{ channel: ChannelRow; message: AlertMessage }>,
  what = "deliveries",
) {
  const queue = [...targets];
  const results: Awaited<ReturnType<typeof deliverOnce>>[] = [];
  const work = async () => {
    for (let t = queue.shift(); t; t = queue.shift()) results.push(await deliverOnce(db, t.channel, `outbox:${outboxId}`, t.message));
  };
  await Promise.all(Array.from({ length: Math.min(CHANNEL_CONCURRENCY, queue.length) }, work));
  const open = results.filter((r) => !isSettled(r.status));
  if (open.length) {
    const why = open.map((r) => (r.status === "sending" ? "still being sent by another worker" : r.error));
    throw new Error(`${open.length} of ${results.length} ${what} failed: ${why.join("; ")}`);
  }
  return { delivered: results.filter((r) => !r.skipped).length, skipped: results.filter((r) => r.skipped).length };
}

/**
 * Deliver one automation event to every enabled webhook channel of the workspace subscribed to
 * its type, at most once per channel and outbox entry. A `policy.fired` of an `alert` policy also
 * goes, in words, to the workspace's enabled e-mail and Slack channels: one firing, one event.
 */
export async function deliverWebhookEvent(
  db: Db,
  input: { name: WebhookEventName; outboxId: number; workspaceId: string; payload: Record<string, unknown> },
) {
  const alertsToo = input.name === EVENTS.policyFired && input.payload.action === "alert";
  const channels = await db
    .select()
    .from(alertChannels)
    .where(
      and(
        eq(alertChannels.workspaceId, input.workspaceId),
        eq(alertChannels.enabled, true),
        alertsToo ? undefined : eq(alertChannels.type, "webhook"),
      ),
    );
  const message = webhookMessage(input.name, input);
  const type = webhookType(input.name);
  const words = alertsToo ? policyAlertMessage(input.payload as EventPayload<typeof EVENTS.policyFired>) : null;
  const targets = channels
    .filter((c) => subscribes(c, type))
    .map((channel) => ({ channel, message: channel.type === "webhook" || !words ? message : { ...message, ...words } }));
  return deliverToChannels(db, input.outboxId, targets, "webhook deliveries");
}

/** Enabled channels of a workspace, optionally only these ids (an alert's routing). */
export function enabledChannels(db: Db, workspaceId: string, ids: string[] = []) {
  return db
    .select()
    .from(alertChannels)
    .where(
      and(
        eq(alertChannels.workspaceId, workspaceId),
        eq(alertChannels.enabled, true),
        ids.length ? inArray(alertChannels.id, ids) : undefined,
      ),
    );
}
