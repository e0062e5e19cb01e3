import { and, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { type alertChannels, alertDeliveries } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { channelPlanRefusal } from "./channel-plan";
import { sendToChannel, type AlertMessage, type ChannelConfig } from "../channels/send";
import { DELIVERY_LIMITS } from "@/server/lib/safe-request";

type ChannelRow = typeof alertChannels.$inferSelect;
type DeliveryRow = typeof alertDeliveries.$inferSelect;

/**
 * pending → sending (claimed by one sender) → sent | failed (claimable again); skipped when
 * the workspace's plan no longer allows the channel.
 */
export type DeliveryStatus = DeliveryRow["status"];
const result = (r: DeliveryRow, skipped: boolean) => ({ ...r, skipped });

/** Finished for good: never sent again for this key. */
export const isSettled = (s: string) => s === "sent" || s === "skipped";

/**
 * A claim older than this was left by a process that died mid-send (a live sender gives up at
 * the delivery deadline), so another sender may take it over.
 */
export const staleClaimSeconds = () => Math.ceil((3 * DELIVERY_LIMITS.deadlineMs) / 1000);

/**
 * Deliver `message` to one channel at most once per `deliveryKey`. The row is claimed with one
 * conditional UPDATE before anything is sent, so two workers (or an outbox entry re-leased while
 * its first delivery is still running) never both send: the loser gets the row back with
 * `skipped: true` and its current status. A failed delivery is claimable again; a sent or
 * skipped one never. While "sending", delivered_at holds when the claim was taken.
 */
export async function deliverOnce(db: Queryable, channel: ChannelRow, deliveryKey: string, message: AlertMessage) {
  await db
    .insert(alertDeliveries)
    .values({
      id: newId("dlv"),
      workspaceId: channel.workspaceId,
      channelId: channel.id,
      deliveryKey,
      status: "pending",
      payload: message.payload,
    })
    .onConflictDoNothing();
  const refusal = await channelPlanRefusal(db, channel.workspaceId, channel.type);
  const row = and(eq(alertDeliveries.channelId, channel.id), eq(alertDeliveries.deliveryKey, deliveryKey));
  const claimable = or(
    inArray(alertDeliveries.status, ["pending", "failed"]),
    and(eq(alertDeliveries.status, "sending"), lt(alertDeliveries.deliveredAt, sql`now() - make_interval(secs => ${staleClaimSeconds()})`)),
  );
  const [claimed] = await db
    .update(alertDeliveries)
    .set(
      refusal
        ? { status: "skipped" as const, error: refusal, deliveredAt: null }
        : { status: "sending" as const, deliveredAt: sql`now()`, attempts: sql`${alertDeliveries.attempts} + 1` },
    )
    .where(and(row, claimable))
    .returning();
  if (!claimed || refusal) {
    const [current] = claimed ? [claimed] : await db.select().from(alertDeliveries).where(row);
    return result(current!, true);
  }

  const config = { type: channel.type, ...channel.config } as ChannelConfig;
  let update: Partial<typeof alertDeliveries.$inferInsert>;
  try {
    const res = await sendToChannel(config, message);
    update = {
      status: res.ok ? "sent" : "failed",
      responseStatus: res.status,
      responseBody: res.body.slice(0, 2000),
      error: res.ok ? null : `receiver answered ${res.status}`,
      deliveredAt: res.ok ? new Date() : null,
    };
  } catch (err) {
    update = { status: "failed", responseStatus: null, responseBody: null, error: (err as Error).message.slice(0, 500), deliveredAt: null };
  }
  // Only our own claim: if it went stale and another sender took the row over, theirs stands.
  const [saved] = await db
    .update(alertDeliveries)
    .set(update)
    .where(and(eq(alertDeliveries.id, claimed.id), eq(alertDeliveries.status, "sending"), eq(alertDeliveries.attempts, claimed.attempts)))
    .returning();
  return result(saved ?? { ...claimed, ...update }, false);
}
