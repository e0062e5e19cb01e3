import { randomBytes } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { alertChannels, alertDeliveries } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { writeAudit } from "../audit/write-audit";
import { withTransaction, type ServiceCtx } from "../context";
import { InvalidInputError, NotFoundError } from "../errors";
import { requirePlan } from "../billing/plans";
import { CHANNEL_PLAN } from "./channel-plan";
import { seesChannelDestinations, toChannel } from "./channel-view";
import { assertSlackUrl, subjectText } from "../channels/send";
import { deliverOnce } from "./deliver";
import { WEBHOOK_TYPES } from "./deliver-event";
import { assertPublicUrl } from "@/server/lib/safe-request";
import { takeTestMessage } from "./test-message-limit";
import { assertUnderCap } from "../workspace-caps";

/** A webhook channel's subscription: the event types it receives; null or absent: every type. */
export const ZWebhookEvents = z.array(z.enum(WEBHOOK_TYPES)).min(1).max(WEBHOOK_TYPES.length).nullish();

// Strict per type: `url` on an email channel is a 400 naming it, not silently ignored.
export const ZChannelInput = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("email"), name: z.string().trim().min(1).max(100), to: z.array(z.email()).min(1).max(20) }),
  z.strictObject({ type: z.literal("slack"), name: z.string().trim().min(1).max(100), url: z.url() }),
  z.strictObject({ type: z.literal("webhook"), name: z.string().trim().min(1).max(100), url: z.url(), events: ZWebhookEvents }),
]);

/** PATCH a channel: enable or disable it; a webhook's `events` subscription (null: every type). */
export const ZUpdateChannel = z
  .strictObject({ enabled: z.boolean().optional(), events: ZWebhookEvents })
  .refine((v) => v.enabled !== undefined || v.events !== undefined, { message: "Send enabled or events" });

export async function listChannels({ ctx }: { ctx: ServiceCtx }) {
  const rows = await ctx.db
    .select()
    .from(alertChannels)
    .where(eq(alertChannels.workspaceId, ctx.workspaceId))
    .orderBy(desc(alertChannels.createdAt));
  const full = await seesChannelDestinations(ctx);
  return rows.map((r) => toChannel(r, { full }));
}

export async function getChannelRow(ctx: ServiceCtx, id: string) {
  const [row] = await ctx.db
    .select()
    .from(alertChannels)
    .where(and(eq(alertChannels.id, id), eq(alertChannels.workspaceId, ctx.workspaceId)));
  if (!row) throw new NotFoundError(`Alert channel ${id} not found`);
  return row;
}

/** Create a channel. URLs are checked against the SSRF guard now and again at each delivery. */
export async function createChannel({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZChannelInput> }) {
  const data = ZChannelInput.parse(input);
  await requirePlan(ctx, CHANNEL_PLAN[data.type].plan, CHANNEL_PLAN[data.type].feature);
  if (data.type === "slack") assertSlackUrl(data.url);
  const config =
    data.type === "email"
      ? { to: data.to }
      : data.type === "slack"
        ? { url: (await assertPublicUrl(data.url)).toString() }
        : {
            url: (await assertPublicUrl(data.url)).toString(),
            secret: `whsec_${randomBytes(24).toString("base64url")}`,
            ...(data.events ? { events: [...new Set(data.events)] } : {}), // absent: every type
          };
  return withTransaction(ctx, async (tx) => {
    await assertUnderCap(tx, ctx.workspaceId, "alertChannels");
    const [row] = await tx
      .insert(alertChannels)
      .values({ id: newId("chn"), workspaceId: ctx.workspaceId, type: data.type, name: data.name, config })
      .returning();
    await writeAudit(tx, {
      workspaceId: ctx.workspaceId,
      actor: ctx.actor,
      action: "alert_channel.create",
      targetType: "alert_channel",
      targetId: row!.id,
      data: { type: data.type, name: data.name, ...(data.type === "webhook" && data.events ? { events: data.events } : {}) },
    });
    return toChannel(row!, { reveal: true, full: true });
  });
}

export async function setChannelEnabled({ ctx, id, enabled }: { ctx: ServiceCtx; id: string; enabled: boolean }) {
  return updateChannel({ ctx, id, input: { enabled } });
}

/** A webhook config with its subscription set (a list) or dropped (null: every type). */
function withEvents(config: Record<string, unknown>, events: string[] | null) {
  const { events: _, ...rest } = config;
  return events ? { ...rest, events } : rest;
}

/** Enable or disable a channel, or change a webhook's event subscription. */
export async function updateChannel({ ctx, id, input }: { ctx: ServiceCtx; id: string; input: z.input<typeof ZUpdateChannel> }) {
  const data = ZUpdateChannel.parse(input);
  return withTransaction(ctx, async (tx) => {
    const [current] = await tx
      .select()
      .from(alertChannels)
      .where(and(eq(alertChannels.id, id), eq(alertChannels.workspaceId, ctx.workspaceId)))
      .for("update");
    if (!current) throw new NotFoundError(`Alert channel ${id} not found`);
    if (data.events !== undefined && current.type !== "webhook") throw new InvalidInputError("Only webhook channels take events");
    const events = data.events === undefined ? undefined : data.events ? [...new Set(data.events)] : null;
    const [row] = await tx
      .update(alertChannels)
      .set({
        ...(data.enabled === undefined ? {} : { enabled: data.enabled }),
        ...(events === undefined ? {} : { config: withEvents(current.config, events) }),
      })
      .where(and(eq(alertChannels.id, id), eq(alertChannels.workspaceId, ctx.workspaceId)))
      .returning();
    await writeAudit(tx, {
      workspaceId: ctx.workspaceId,
      actor: ctx.actor,
      action: "alert_channel.update",
      targetType: "alert_channel",
      targetId: id,
      data: { ...(data.enabled === undefined ? {} : { enabled: data.enabled }), ...(events === undefined ? {} : { events }) },
    });
    return toChannel(row!, { full: true }); // only admins and write keys get here
  });
}

export async function deleteChannel({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  await withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .delete(alertChannels)
      .where(and(eq(alertChannels.id, id), eq(alertChannels.workspaceId, ctx.workspaceId)))
      .returning({ id: alertChannels.id });
    if (!row) throw new NotFoundError(`Alert channel ${id} not found`);
    await writeAudit(tx, {
      workspaceId: ctx.workspaceId,
      actor: ctx.actor,
      action: "alert_channel.delete",
      targetType: "alert_channel",
      targetId: id,
    });
  });
  return { id, deleted: true };
}

/**
 * The "send a test message" button: one delivery, logged like any other, within the same
 * deadline as alerts. Plan-gated like the channel itself and limited per workspace, since it
 * sends on demand; the channel name is cleaned and cut before it goes into a subject line.
 */
export async function sendTestMessage({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  const channel = await getChannelRow(ctx, id);
  await requirePlan(ctx, CHANNEL_PLAN[channel.type].plan, CHANNEL_PLAN[channel.type].feature);
  takeTestMessage(ctx.workspaceId);
  const at = new Date().toISOString();
  return deliverOnce(ctx.db, channel, `test:${newId("tst")}`, {
    subject: `Tokenist test message for "${subjectText(channel.name, 40)}"`,
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
  const row = await getChannelRow(ctx, id);
  return toChannel(row, { full: await seesChannelDestinations(ctx) });
}

/**
 * A delivery as the REST contract shows it. The contract knows pending/sent/failed: a claimed
 * "sending" row is still pending (its delivered_at is the claim time, not shown), and a
 * "skipped" one (the plan no longer allows the channel) is failed with the reason as error.
 */
export function toDelivery(d: typeof alertDeliveries.$inferSelect) {
  const status = d.status;
  return {
    id: d.id,
    channelId: d.channelId,
    deliveryKey: d.deliveryKey,
    status,
    attempts: d.attempts,
    responseStatus: d.responseStatus,
    responseBody: d.responseBody,
    error: d.error,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt && status !== "sending" ? d.deliveredAt.toISOString() : null,
  };
}
