import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { rules, RULE_METRICS, RULE_SCOPES, RULE_WINDOWS } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { writeAudit } from "../audit/write-audit";
import { withTransaction, type ServiceCtx } from "../context";
import { InvalidInputError, NotFoundError } from "../errors";
import { formatNanos, usdToNanos } from "../metering/pricing";
import { bumpConfigVersion, forgetWorkspaceState } from "../workspaces/workspace-state";

const ZAction = z
  .string()
  .regex(/^(block|alert|require_reauth|downgrade_model:[\w.:\-/]{1,128})$/, {
    message: "action must be block, alert, require_reauth or downgrade_model:<model>",
  });

const ruleFields = {
  name: z.string().trim().min(1).max(100),
  scope: z.enum(RULE_SCOPES),
  match: z.string().trim().min(1).max(256).nullable(),
  metric: z.enum(RULE_METRICS),
  window: z.enum(RULE_WINDOWS),
  /** Requests or tokens (integers), or USD for cost_usd (exact to 1e-9). */
  limit: z.number().positive().finite().max(1e15),
  action: ZAction,
  enabled: z.boolean(),
};

export const ZCreateRule = z.object({
  ...ruleFields,
  match: ruleFields.match.default(null),
  action: ruleFields.action.default("block"),
  enabled: ruleFields.enabled.default(true),
});
export const ZUpdateRule = z.object(ruleFields).partial();
export type TRule = ReturnType<typeof toRule>;

type RuleRow = typeof rules.$inferSelect;

/** The API's view of a rule: cost limits in USD, never nano-dollars. */
export function toRule(r: RuleRow) {
  return {
    id: r.id,
    name: r.name,
    scope: r.scope,
    match: r.match,
    metric: r.metric,
    window: r.window,
    limit: r.metric === "cost_usd" ? Number(formatNanos(r.limitValue)) : Number(r.limitValue),
    action: r.action,
    enabled: r.enabled,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

function toLimitValue(metric: RuleRow["metric"], limit: number): bigint {
  if (metric === "cost_usd") return usdToNanos(limit);
  if (!Number.isInteger(limit)) throw new InvalidInputError(`limit must be a whole number of ${metric}`);
  return BigInt(limit);
}

function checkScope(scope: RuleRow["scope"], match: string | null) {
  if ((scope === "feature" || scope === "tier") && match === null) {
    throw new InvalidInputError(`match is required for scope ${scope} (the ${scope} the rule is for)`);
  }
  if (scope === "workspace" && match !== null) throw new InvalidInputError("match must be null for scope workspace");
}

export async function listRules({ ctx }: { ctx: ServiceCtx }) {
  const rows = await ctx.db.select().from(rules).where(eq(rules.workspaceId, ctx.workspaceId)).orderBy(asc(rules.createdAt));
  return rows.map(toRule);
}

export async function getRule({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  const [row] = await ctx.db.select().from(rules).where(and(eq(rules.id, id), eq(rules.workspaceId, ctx.workspaceId)));
  if (!row) throw new NotFoundError(`Rule ${id} not found`);
  return toRule(row);
}

export async function createRule({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZCreateRule> }) {
  const data = ZCreateRule.parse(input);
  checkScope(data.scope, data.match);
  const limitValue = toLimitValue(data.metric, data.limit);
  const rule = await withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .insert(rules)
      .values({ id: newId("rul"), workspaceId: ctx.workspaceId, ...data, limitValue })
      .returning();
    await bumpConfigVersion(tx, ctx.workspaceId);
    await writeAudit(tx, { workspaceId: ctx.workspaceId, actor: ctx.actor, action: "rule.create", targetType: "rule", targetId: row!.id, data: { ...data } });
    return toRule(row!);
  });
  forgetWorkspaceState(ctx.workspaceId);
  return rule;
}

export async function updateRule({ ctx, id, input }: { ctx: ServiceCtx; id: string; input: z.input<typeof ZUpdateRule> }) {
  const patch = ZUpdateRule.parse(input);
  const rule = await withTransaction(ctx, async (tx) => {
    const [current] = await tx.select().from(rules).where(and(eq(rules.id, id), eq(rules.workspaceId, ctx.workspaceId))).for("update");
    if (!current) throw new NotFoundError(`Rule ${id} not found`);
    const next = { ...current, ...patch };
    checkScope(next.scope, next.match);
    const limitValue = patch.limit !== undefined || patch.metric !== undefined
      ? toLimitValue(next.metric, patch.limit ?? Number(toRule(current).limit))
      : current.limitValue;
    const { limit: _limit, ...columns } = patch;
    const [row] = await tx
      .update(rules)
      .set({ ...columns, limitValue, updatedAt: new Date() })
      .where(and(eq(rules.id, id), eq(rules.workspaceId, ctx.workspaceId)))
      .returning();
    await bumpConfigVersion(tx, ctx.workspaceId);
    await writeAudit(tx, { workspaceId: ctx.workspaceId, actor: ctx.actor, action: "rule.update", targetType: "rule", targetId: id, data: { ...patch } });
    return toRule(row!);
  });
  forgetWorkspaceState(ctx.workspaceId);
  return rule;
}

export async function deleteRule({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  await withTransaction(ctx, async (tx) => {
    const [row] = await tx.delete(rules).where(and(eq(rules.id, id), eq(rules.workspaceId, ctx.workspaceId))).returning({ id: rules.id });
    if (!row) throw new NotFoundError(`Rule ${id} not found`);
    await bumpConfigVersion(tx, ctx.workspaceId);
    await writeAudit(tx, { workspaceId: ctx.workspaceId, actor: ctx.actor, action: "rule.delete", targetType: "rule", targetId: id });
  });
  forgetWorkspaceState(ctx.workspaceId);
  return { id, deleted: true };
}
