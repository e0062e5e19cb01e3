import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { assertUnderCap } from "../workspace-caps";
import { rules, RULE_METRICS, RULE_MODES, RULE_SCOPES, RULE_WINDOWS, type RuleFilters } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import type { ServiceCtx } from "../context";
import { InvalidInputError, NotFoundError } from "../errors";
import { formatNanos, usdToNanos } from "../core/pricing";
import { changeConfig } from "../core/change-config";
import { refreshSegmentMembersIn } from "../segments/refresh-members";
import { requirePlan } from "../core/plans";
import { tierOfAction } from "./tier-actions";
import { segments } from "@/db/schema";
import type { Queryable } from "@/db/client";

/** A rule's segment must be one of the workspace's; its members are computed before the rule takes effect. */
async function prepareSegment(tx: Queryable, workspaceId: string, filters: RuleFilters | null) {
  if (!filters?.segment) return;
  const [found] = await tx
    .select({ id: segments.id })
    .from(segments)
    .where(and(eq(segments.id, filters.segment), eq(segments.workspaceId, workspaceId)));
  if (!found) throw new InvalidInputError(`filters.segment: ${filters.segment} is not a segment of this workspace`);
  await refreshSegmentMembersIn(tx, workspaceId, new Date(), [filters.segment]);
}

const ZAction = z.string().regex(/^(block|alert|require_reauth|downgrade_model:[\w.:\-/]{1,128}|set_tier:[\w.:-]{1,64})$/, {
  message: "action must be block, alert, require_reauth, downgrade_model:<model> or set_tier:<tier>",
});

/** A set_tier rule is an automation (the product page's "auto-upgrade"): Growth and above, like webhook automations. */
async function requireAutomationPlan(ctx: ServiceCtx, action: string | undefined) {
  if (action && tierOfAction(action) !== null) await requirePlan(ctx, "growth", "Tier automations (set_tier)");
}

const ZFilterValue = z.string().trim().min(1).max(256);

/**
 * Which calls a rule applies to: every key given must match the call. Strict, so a typo like
 * `tierr` is refused instead of silently widening the rule to every call. `segment` picks the
 * end users the rule applies to (members of a saved segment), not which of their calls count.
 */
export const ZRuleFilters = z.strictObject({
  tier: ZFilterValue.optional(),
  feature: ZFilterValue.optional(),
  model: ZFilterValue.optional(),
  orgId: ZFilterValue.optional(),
  /** A segment id (seg_…): the rule applies to its members only. */
  segment: z
    .string()
    .trim()
    .regex(/^seg_[\w-]{1,60}$/, "segment must be a segment id (seg_…)")
    .optional(),
});
export const FILTER_KEYS = ["tier", "feature", "model", "orgId", "segment"] as const satisfies ReadonlyArray<keyof RuleFilters>;

const ruleFields = {
  name: z.string().trim().min(1).max(100),
  scope: z.enum(RULE_SCOPES),
  match: z.string().trim().min(1).max(256).nullable(),
  /** `scope` says who counts; `filters` say which calls count. Null or {}: every call. */
  filters: ZRuleFilters.nullable(),
  metric: z.enum(RULE_METRICS),
  window: z.enum(RULE_WINDOWS),
  /** Requests or tokens (integers), or USD for cost_usd (exact to 1e-9). */
  limit: z.number().positive().finite().max(1e15),
  action: ZAction,
  /** enforce: the rule decides; shadow: evaluated on every check, its would-have decisions counted, the answer unchanged. */
  mode: z.enum(RULE_MODES),
  enabled: z.boolean(),
};

// Strict: an unknown field is a 400 naming it (a typo like `limitt` must not create a rule without the limit meant).
export const ZCreateRule = z.strictObject({
  ...ruleFields,
  match: ruleFields.match.default(null),
  filters: ruleFields.filters.default(null),
  action: ruleFields.action.default("block"),
  mode: ruleFields.mode.default("enforce"),
  enabled: ruleFields.enabled.default(true),
});
export const ZUpdateRule = z.strictObject(ruleFields).partial();
export type TRule = ReturnType<typeof toRule>;

type RuleRow = typeof rules.$inferSelect;

/** The API's view of a rule: cost limits in USD, never nano-dollars. */
export function toRule(r: RuleRow) {
  return {
    id: r.id,
    name: r.name,
    scope: r.scope,
    match: r.match,
    filters: r.filters ?? null,
    metric: r.metric,
    window: r.window,
    limit: r.metric === "cost_usd" ? Number(formatNanos(r.limitValue)) : Number(r.limitValue),
    action: r.action,
    mode: r.mode,
    enabled: r.enabled,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function toLimitValue(metric: RuleRow["metric"], limit: number): bigint {
  if (metric === "cost_usd") return usdToNanos(limit);
  if (!Number.isInteger(limit)) throw new InvalidInputError(`limit must be a whole number of ${metric}`);
  return BigInt(limit);
}

/** Only the filters given; none at all means every call, so `{}` and null are stored alike (null). */
export function toFilters(input: z.output<typeof ZRuleFilters> | null): RuleFilters | null {
  if (!input) return null;
  const filters: RuleFilters = {};
  for (const key of FILTER_KEYS) if (input[key] !== undefined) filters[key] = input[key];
  return Object.keys(filters).length > 0 ? filters : null;
}

/** The scope's own key, when it names one: a filter on that key must agree with match. */
const SCOPE_KEY = { tier: "tier", feature: "feature", org: "orgId" } as const;

export function checkScope(scope: RuleRow["scope"], match: string | null, filters: RuleFilters | null) {
  if ((scope === "feature" || scope === "tier") && match === null) {
    throw new InvalidInputError(`match is required for scope ${scope} (the ${scope} the rule is for)`);
  }
  if (scope === "workspace" && match !== null) throw new InvalidInputError("match must be null for scope workspace");
  const key = scope in SCOPE_KEY ? SCOPE_KEY[scope as keyof typeof SCOPE_KEY] : null;
  // A contradiction (scope tier "free", filter tier "pro") is a rule that can never apply: refuse it.
  if (key && match !== null && filters?.[key] !== undefined && filters[key] !== match) {
    throw new InvalidInputError(`filters.${key} "${filters[key]}" contradicts match "${match}": the rule would never apply`);
  }
}

export async function listRules({ ctx }: { ctx: ServiceCtx }) {
  const rows = await ctx.db.select().from(rules).where(eq(rules.workspaceId, ctx.workspaceId)).orderBy(asc(rules.createdAt));
  return rows.map(toRule);
}

export async function getRule({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  const [row] = await ctx.db
    .select()
    .from(rules)
    .where(and(eq(rules.id, id), eq(rules.workspaceId, ctx.workspaceId)));
  if (!row) throw new NotFoundError(`Rule ${id} not found`);
  return toRule(row);
}

export async function createRule({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZCreateRule> }) {
  const parsed = ZCreateRule.parse(input);
  const data = { ...parsed, filters: toFilters(parsed.filters) };
  checkScope(data.scope, data.match, data.filters);
  const limitValue = toLimitValue(data.metric, data.limit);
  await requireAutomationPlan(ctx, data.action);
  const audit = (rule: TRule) => ({ action: "rule.create", targetType: "rule", targetId: rule.id, data: { ...data } });
  return changeConfig(ctx, audit, async (tx) => {
    await assertUnderCap(tx, ctx.workspaceId, "rules");
    const [row] = await tx
      .insert(rules)
      .values({ id: newId("rul"), workspaceId: ctx.workspaceId, ...data, limitValue })
      .returning();
    await prepareSegment(tx, ctx.workspaceId, data.filters);
    return toRule(row!);
  });
}

export async function updateRule({ ctx, id, input }: { ctx: ServiceCtx; id: string; input: z.input<typeof ZUpdateRule> }) {
  const { filters, ...fields } = ZUpdateRule.parse(input);
  const patch = { ...fields, ...(filters !== undefined && { filters: toFilters(filters) }) };
  await requireAutomationPlan(ctx, patch.action);
  const audit = { action: "rule.update", targetType: "rule", targetId: id, data: { ...patch } };
  return changeConfig(ctx, audit, async (tx) => {
    const [current] = await tx
      .select()
      .from(rules)
      .where(and(eq(rules.id, id), eq(rules.workspaceId, ctx.workspaceId)))
      .for("update");
    if (!current) throw new NotFoundError(`Rule ${id} not found`);
    const next = { ...current, ...patch };
    checkScope(next.scope, next.match, next.filters);
    const limitValue =
      patch.limit !== undefined || patch.metric !== undefined
        ? toLimitValue(next.metric, patch.limit ?? Number(toRule(current).limit))
        : current.limitValue;
    const { limit: _limit, ...columns } = patch;
    const [row] = await tx
      .update(rules)
      .set({ ...columns, limitValue, updatedAt: new Date() })
      .where(and(eq(rules.id, id), eq(rules.workspaceId, ctx.workspaceId)))
      .returning();
    await prepareSegment(tx, ctx.workspaceId, row!.enabled ? row!.filters : null);
    return toRule(row!);
  });
}

export async function deleteRule({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  await changeConfig(ctx, { action: "rule.delete", targetType: "rule", targetId: id }, async (tx) => {
    const [row] = await tx
      .delete(rules)
      .where(and(eq(rules.id, id), eq(rules.workspaceId, ctx.workspaceId)))
      .returning({ id: rules.id });
    if (!row) throw new NotFoundError(`Rule ${id} not found`);
  });
  return { id, deleted: true };
}
