import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { alerts } from "@/db/schema";
import { ZCrossingPayload, type TCrossingPayload } from "@/server/events/catalogue";
import type { AlertMessage } from "../channels/send";
import { deliverToChannels, enabledChannels, subscribes, webhookEventId } from "./deliver-event";

const WINDOW_WORDS: Record<string, string> = {
  minute: "the last minute",
  hour: "the last hour",
  day: "the last 24 hours",
  calendar_day: "today (UTC)",
  calendar_month: "this month (UTC)",
};

/**
 * A crossing in words, and as a webhook body: the flat fields receivers of earlier versions
 * read, plus the envelope every webhook event has (`id` stable across retries, `type`,
 * `createdAt`, `workspaceId`, `data`).
 */
export function formatCrossing(c: TCrossingPayload, outboxId: number | string): AlertMessage {
  const { workspaceId, ...data } = c;
  const envelope = { id: webhookEventId(outboxId), createdAt: c.at, workspaceId };
  if (c.sourceType === "policy") {
    // Only entries queued before label policies published policy.fired (server/services/alerts/deliver-event.ts).
    const who = `${c.subject.dimension} ${c.subject.key}`;
    return {
      subject: `[Tokenist] ${c.name}: ${who} labelled ${c.metric} ${c.used} times`,
      text: `${who} got the label "${c.metric}" ${c.used} times within ${WINDOW_WORDS[c.window] ?? c.window}; the label policy "${c.name}" fires at ${c.limit}.\nAt ${c.at}.`,
      payload: { ...c, ...envelope, type: "label_policy.fired", data },
    };
  }
  const who = c.subject.dimension === "workspace" ? "The workspace" : `${c.subject.dimension} ${c.subject.key}`;
  const unit = c.metric === "cost_usd" ? "USD" : c.metric;
  const amount = (v: number) =>
    c.metric === "cost_usd" ? `$${v.toFixed(6).replace(/0{1,4}$/, "")}` : `${v.toLocaleString("en-US")} ${unit}`;
  const reached = c.threshold.endsWith("%") ? `${c.threshold} of ${amount(c.limit)}` : amount(c.limit);
  return {
    subject: `[Tokenist] ${c.name}: ${who} reached ${reached}`,
    text: `${who} has used ${amount(c.used)} in ${WINDOW_WORDS[c.window] ?? c.window}, reaching ${reached} (${c.name}).\nAt ${c.at}.`,
    payload: { ...c, ...envelope, type: "limit.crossed", data },
  };
}

/**
 * `tokenist/limit.crossed` → every channel of the alert (all enabled channels for a rule's
 * alert action), each at most once per outbox entry; a webhook channel only when it subscribes
 * to limit.crossed. Throws if any channel failed or is still being sent by another worker, so
 * the outbox retries: channels already sent (or skipped because the plan no longer allows
 * them) are left alone then.
 */
export async function deliverCrossing(db: Db, input: { outboxId: number | string; payload: unknown }) {
  const crossing = ZCrossingPayload.parse(input.payload);
  const message = formatCrossing(crossing, input.outboxId);
  let channelIds: string[] = [];
  if (crossing.alertId) {
    const [alert] = await db
      .select({ channelIds: alerts.channelIds })
      .from(alerts)
      .where(and(eq(alerts.id, crossing.alertId), eq(alerts.workspaceId, crossing.workspaceId)));
    channelIds = alert?.channelIds ?? [];
  }
  const channels = await enabledChannels(db, crossing.workspaceId, channelIds);
  const targets = channels.filter((c) => subscribes(c, "limit.crossed")).map((channel) => ({ channel, message }));
  return deliverToChannels(db, input.outboxId, targets, "alert deliveries");
}
