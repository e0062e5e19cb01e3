import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { alerts, RULE_METRICS, RULE_SCOPES, RULE_WINDOWS, rules } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import type { ServiceCtx } from "../context";
import { InvalidInputError, NotFoundError } from "../errors";
import { formatNanos, usdToNanos } from "../core/pricing";
import { changeConfig } from "../core/change-config";
import { requirePlan } from "../billing/plans";
import { assertUnderCap } from "../workspace-caps";

/**
 * Either `ruleId` with `percentages` (e.g. [80, 100] of that rule's limit, same scope and
 * window), or a scope/match/metric/window with absolute `values` (requests, tokens, USD).
 */
export const ZCreateAlert = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    ruleId: z.string().min(1).nullish(),
    percentages: z.array(z.number().int().min(1).max(1000)).min(1).max(10).optional(),
    scope: z.enum(RULE_SCOPES).optional(),
    match: z.string().trim().min(1).max(256).nullish(),
    metric: z.enum(RULE_METRICS).optional(),
    window: z.enum(RULE_WINDOWS).optional(),
    values: z.array(z.number().positive().finite()).min(1).max(10).optional(),
    channelIds: z.array(z.string()).max(20).default([]),
    enabled: z.boolean().default(true),
  })
  .refine((a) => (a.ruleId ? Boolean(a.percentages) : Boolean(a.scope && a.metric && a.window && a.values)), {
    message: "Send ruleId with percentages, or scope, metric, window and values",
  });

type AlertRow = typeof alerts.$inferSelect;

export function toAlert(a: AlertRow) {
  const absolute = !a.ruleId;
  return {
    id: a.id,
    name: a.name,
    ruleId: a.ruleId,
    scope: a.scope,
    match: a.match,
    metric: a.metric,
    window: a.window,
    percentages: absolute ? null : a.thresholds.map(Number),
    values: absolute ? a.thresholds.map((t) => (a.metric === "cost_usd" ? Number(formatNanos(BigInt(t))) : Number(t))) : null,
    channelIds: a.channelIds,
    enabled: a.enabled,
    createdAt: a.createdAt.toISOString(),
  };
}

export async function listAlerts({ ctx }: { ctx: ServiceCtx }) {
  const rows = await ctx.db.select().from(alerts).where(eq(alerts.workspaceId, ctx.workspaceId)).orderBy(desc(alerts.createdAt));
  return rows.map(toAlert);
}

export async function createAlert({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZCreateAlert> }) {
  const data = ZCreateAlert.parse(input);
  await requirePlan(ctx, "starter", "Alerts");
  let row: Omit<typeof alerts.$inferInsert, "id" | "workspaceId">;
  if (data.ruleId) {
    const [rule] = await ctx.db
      .select()
      .from(rules)
      .where(and(eq(rules.id, data.ruleId), eq(rules.workspaceId, ctx.workspaceId)));
    if (!rule) throw new NotFoundError(`Rule ${data.ruleId} not found`);
    row = {
      name: data.name,
      ruleId: rule.id,
      scope: rule.scope,
      match: rule.match,
      metric: rule.metric,
      window: rule.window,
      thresholds: [...new Set(data.percentages!)].sort((x, y) => x - y).map(String),
      channelIds: data.channelIds,
      enabled: data.enabled,
    };
  } else {
    if ((data.scope === "feature" || data.scope === "tier") && !data.match)
      throw new InvalidInputError(`match is required for scope ${data.scope}`);
    const values = data.values!.map((v) => {
      if (data.metric === "cost_usd") return usdToNanos(v).toString();
      if (!Number.isInteger(v)) throw new InvalidInputError(`values must be whole ${data.metric}`);
      return String(v);
    });
    row = {
      name: data.name,
      ruleId: null,
      scope: data.scope!,
      match: data.match ?? null,
      metric: data.metric!,
      window: data.window!,
      thresholds: values,
      channelIds: data.channelIds,
      enabled: data.enabled,
    };
  }
  const audit = (alert: { id: string }) => ({ action: "alert.create", targetType: "alert", targetId: alert.id, data: { name: row.name } });
  return changeConfig(ctx, audit, async (tx) => {
    await assertUnderCap(tx, ctx.workspaceId, "alerts");
    const [inserted] = await tx
      .insert(alerts)
      .values({ id: newId("alr"), workspaceId: ctx.workspaceId, ...row })
      .returning();
    return toAlert(inserted!);
  });
}

export async function deleteAlert({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  await changeConfig(ctx, { action: "alert.delete", targetType: "alert", targetId: id }, async (tx) => {
    const [row] = await tx
      .delete(alerts)
      .where(and(eq(alerts.id, id), eq(alerts.workspaceId, ctx.workspaceId)))
      .returning({ id: alerts.id });
    if (!row) throw new NotFoundError(`Alert ${id} not found`);
  });
  return { id, deleted: true };
}

export async function getAlert({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  const [row] = await ctx.db
    .select()
    .from(alerts)
    .where(and(eq(alerts.id, id), eq(alerts.workspaceId, ctx.workspaceId)));
  if (!row) throw new NotFoundError(`Alert ${id} not found`);
  return toAlert(row);
}

export const ZUpdateAlert = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  channelIds: z.array(z.string()).max(20).optional(),
  enabled: z.boolean().optional(),
});

/** Rename, re-route or enable/disable an alert (thresholds: delete and create). */
export async function updateAlert({ ctx, id, input }: { ctx: ServiceCtx; id: string; input: z.input<typeof ZUpdateAlert> }) {
  const patch = ZUpdateAlert.parse(input);
  return changeConfig(ctx, { action: "alert.update", targetType: "alert", targetId: id, data: patch }, async (tx) => {
    const [row] = await tx
      .update(alerts)
      .set(patch)
      .where(and(eq(alerts.id, id), eq(alerts.workspaceId, ctx.workspaceId)))
      .returning();
    if (!row) throw new NotFoundError(`Alert ${id} not found`);
    return toAlert(row);
  });
}
