import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { alertChannels, alerts } from "@/db/schema";
import { ZCrossingPayload, type TCrossingPayload } from "@/server/events/catalogue";
import type { AlertMessage } from "../channels/send";
import { deliverOnce, isSettled } from "./deliver";

const WINDOW_WORDS: Record<string, string> = {
  minute: "the last minute",
  hour: "the last hour",
  day: "the last 24 hours",
  calendar_day: "today (UTC)",
  calendar_month: "this month (UTC)",
};

export function formatCrossing(c: TCrossingPayload): AlertMessage {
  if (c.sourceType === "policy") {
    // A label policy: metric is the label, used the labels counted, limit the policy's count.
    const who = `${c.subject.dimension} ${c.subject.key}`;
    return {
      subject: `[Tokenist] ${c.name}: ${who} labelled ${c.metric} ${c.used} times`,
      text: `${who} got the label "${c.metric}" ${c.used} times within ${WINDOW_WORDS[c.window] ?? c.window}; the label policy "${c.name}" fires at ${c.limit}.\nAt ${c.at}.`,
      payload: { type: "label_policy.fired", ...c },
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
    payload: { type: "limit.crossed", ...c },
  };
}

/** Channels sent to at once for one crossing: the crossing takes about one deadline per round. */
const CHANNEL_CONCURRENCY = 4;

/**
 * `tokenist/limit.crossed` → every channel of the alert (all enabled channels for a rule's
 * alert action or a label policy), each at most once per outbox entry. Throws if any channel
 * failed or is still being sent by another worker, so the outbox retries: channels already
 * sent (or skipped because the plan no longer allows them) are left alone then.
 */
export async function deliverCrossing(db: Db, input: { outboxId: number | string; payload: unknown }) {
  const crossing = ZCrossingPayload.parse(input.payload);
  const message = formatCrossing(crossing);
  let channelIds: string[] = [];
  if (crossing.alertId) {
    const [alert] = await db
      .select({ channelIds: alerts.channelIds })
      .from(alerts)
      .where(and(eq(alerts.id, crossing.alertId), eq(alerts.workspaceId, crossing.workspaceId)));
    channelIds = alert?.channelIds ?? [];
  }
  const channels = await db
    .select()
    .from(alertChannels)
    .where(
      and(
        eq(alertChannels.workspaceId, crossing.workspaceId),
        eq(alertChannels.enabled, true),
        channelIds.length ? inArray(alertChannels.id, channelIds) : undefined,
      ),
    );
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
    throw new Error(`${open.length} of ${results.length} alert deliveries failed: ${why.join("; ")}`);
  }
  return {
    delivered: results.filter((r) => !r.skipped).length,
    skipped: results.filter((r) => r.skipped).length,
  };
}
