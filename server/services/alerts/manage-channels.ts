import { randomBytes } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { alertChannels, alertDeliveries } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { writeAudit } from "../audit/write-audit";
import { withTransaction, type ServiceCtx } from "../context";
import { NotFoundError } from "../errors";
import { assertPublicUrl } from "./safe-request";
import { deliverOnce } from "./deliver";
import { requirePlan } from "../billing/plans";

export const ZChannelInput = z.discriminatedUnion("type", [
  z.object({ type: z.literal("email"), name: z.string().trim().min(1).max(100), to: z.array(z.email()).min(1).max(20) }),
  z.object({ type: z.literal("slack"), name: z.string().trim().min(1).max(100), url: z.url() }),
  z.object({ type: z.literal("webhook"), name: z.string().trim().min(1).max(100), url: z.url() }),
]);

type ChannelRow = typeof alertChannels.$inferSelect;

/** The API's view: a webhook's signing secret is shown in full only when created. */
export function toChannel(c: ChannelRow, revealSecret = false) {
  const config = { ...c.config };
  if (typeof config.secret === "string" && !revealSecret) config.secret = `${config.secret.slice(0, 10)}…`;
  return { id: c.id, type: c.type, name: c.name, config, enabled: c.enabled, createdAt: c.createdAt.toISOString() };
}

export async function listChannels({ ctx }: { ctx: ServiceCtx }) {
  const rows = await ctx.db.select().from(alertChannels).where(eq(alertChannels.workspaceId, ctx.workspaceId)).orderBy(desc(alertChannels.createdAt));
  return rows.map((r) => toChannel(r));
}

export async function getChannelRow(ctx: ServiceCtx, id: string) {
  const [row] = await ctx.db.select().from(alertChannels).where(and(eq(alertChannels.id, id), eq(alertChannels.workspaceId, ctx.workspaceId)));
  if (!row) throw new NotFoundError(`Alert channel ${id} not found`);
  return row;
}

/** Create a channel. URLs are checked against the SSRF guard now and again at each delivery. */
export async function createChannel({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZChannelInput> }) {
  const data = ZChannelInput.parse(input);
  await requirePlan(ctx, data.type === "webhook" ? "growth" : "starter", data.type === "webhook" ? "Webhook alerts" : "Alerts");
  const config =
    data.type === "email"
      ? { to: data.to }
      : data.type === "slack"
        ? { url: (await assertPublicUrl(data.url)).toString() }
        : { url: (await assertPublicUrl(data.url)).toString(), secret: `whsec_${randomBytes(24).toString("base64url")}` };
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .insert(alertChannels)
      .values({ id: newId("chn"), workspaceId: ctx.workspaceId, type: data.type, name: data.name, config })
      .returning();
    await writeAudit(tx, { workspaceId: ctx.workspaceId, actor: ctx.actor, action: "alert_channel.create", targetType: "alert_channel", targetId: row!.id, data: { type: data.type, name: data.name } });
    return toChannel(row!, true);
  });
}

export async function setChannelEnabled({ ctx, id, enabled }: { ctx: ServiceCtx; id: string; enabled: boolean }) {
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .update(alertChannels)
      .set({ enabled })
      .where(and(eq(alertChannels.id, id), eq(alertChannels.workspaceId, ctx.workspaceId)))
      .returning();
    if (!row) throw new NotFoundError(`Alert channel ${id} not found`);
    await writeAudit(tx, { workspaceId: ctx.workspaceId, actor: ctx.actor, action: "alert_channel.update", targetType: "alert_channel", targetId: id, data: { enabled } });
    return toChannel(row);
  });
}

export async function deleteChannel({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  await withTransaction(ctx, async (tx) => {
    const [row] = await tx.delete(alertChannels).where(and(eq(alertChannels.id, id), eq(alertChannels.workspaceId, ctx.workspaceId))).returning({ id: alertChannels.id });
    if (!row) throw new NotFoundError(`Alert channel ${id} not found`);
    await writeAudit(tx, { workspaceId: ctx.workspaceId, actor: ctx.actor, action: "alert_channel.delete", targetType: "alert_channel", targetId: id });
  });
  return { id, deleted: true };
}

/** The "send a test message" button: one delivery, logged like any other. */
export async function sendTestMessage({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  const channel = await getChannelRow(ctx, id);
  const at = new Date().toISOString();
  return deliverOnce(ctx.db, channel, `test:${newId("tst")}`, {
    subject: `Tokenist test message for "${channel.name}"`,
    text: `This is a test message from Tokenist, sent at ${at}. If you can read it, alerts will reach you here.`,
    payload: { type: "test", channel: channel.id, at },
  });
}

/** The delivery log, newest first. */
export async function listDeliveries({ ctx, channelId, limit = 100 }: { ctx: ServiceCtx; channelId?: string; limit?: number }) {
  return ctx.db
    .select()
    .from(alertDeliveries)
    .where(and(eq(alertDeliveries.workspaceId, ctx.workspaceId), channelId ? eq(alertDeliveries.channelId, channelId) : undefined))
    .orderBy(desc(alertDeliveries.createdAt))
    .limit(Math.min(limit, 500));
}

export async function getChannel({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  return toChannel(await getChannelRow(ctx, id));
}

/** A delivery as the API shows it. */
export function toDelivery(d: typeof alertDeliveries.$inferSelect) {
  return {
    id: d.id,
    channelId: d.channelId,
    deliveryKey: d.deliveryKey,
    status: d.status,
    attempts: d.attempts,
    responseStatus: d.responseStatus,
    responseBody: d.responseBody,
    error: d.error,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt ? d.deliveredAt.toISOString() : null,
  };
}
