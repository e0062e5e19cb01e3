import { and, eq, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { alertChannels, alertDeliveries } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { sendToChannel, type AlertMessage, type ChannelConfig } from "./channels/send";

type ChannelRow = typeof alertChannels.$inferSelect;

/**
 * Deliver `message` to one channel at most once per `deliveryKey`: a delivery already
 * marked sent is skipped (an outbox entry delivered twice has one effect); a failed one is
 * tried again. Every attempt and the receiver's answer are kept in alert_deliveries.
 */
export async function deliverOnce(db: Queryable, channel: ChannelRow, deliveryKey: string, message: AlertMessage) {
  await db
    .insert(alertDeliveries)
    .values({ id: newId("dlv"), workspaceId: channel.workspaceId, channelId: channel.id, deliveryKey, status: "pending", payload: message.payload })
    .onConflictDoNothing();
  const [row] = await db
    .select()
    .from(alertDeliveries)
    .where(and(eq(alertDeliveries.channelId, channel.id), eq(alertDeliveries.deliveryKey, deliveryKey)));
  if (row!.status === "sent") return { ...row!, skipped: true };
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
    update = { status: "failed", error: (err as Error).message.slice(0, 500) };
  }
  const [saved] = await db
    .update(alertDeliveries)
    .set({ ...update, attempts: sql`${alertDeliveries.attempts} + 1` })
    .where(eq(alertDeliveries.id, row!.id))
    .returning();
  return { ...saved!, skipped: false };
}
