import { and, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import { resultRows } from "@/db/client";
import { rules } from "@/db/schema";
import type { ServiceCtx } from "../context";
import { InvalidInputError, NotFoundError } from "../errors";
import { nanosToUsd } from "../core/pricing";
import { HOUR_MS } from "../core/time";
import { segmentScope } from "../segments/segment-sql";
import { checkScope, toFilters, toLimitValue, ZCreateRule } from "./manage-rules";
import { previewRange, readReplayCalls, replayRule, summarise } from "./rule-preview";
import { shadowStatsWritten } from "./shadow-stats";

/** How many end users `top` lists unless asked. */
export const SHADOW_TOP = 20;
const MAX_RANGE_MS = 93 * 24 * HOUR_MS;

function money(nanos: bigint) {
  return { wouldDenyCostUsd: nanosToUsd(nanos), wouldDenyCostNanos: nanos.toString() };
}

/**
 * What a rule in shadow mode would have done between `from` and `to` (default: the last 7
 * days), from its hourly counters (shadow_stats; the hour buckets that start in [from, to)):
 * the checks it was evaluated on, how many it would have denied (a block rule) or acted on
 * (another action), the distinct end users concerned and the top of them. Counts written behind
 * by this process are flushed first, so a read right after the checks sees them.
 */
export async function getRuleShadow({
  ctx,
  id,
  from,
  to,
  limit = SHADOW_TOP,
}: {
  ctx: ServiceCtx;
  id: string;
  from?: Date;
  to?: Date;
  limit?: number;
}) {
  const end = to ?? new Date();
  const start = from ?? new Date(end.getTime() - 7 * 24 * HOUR_MS);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) throw new InvalidInputError("from and to must be timestamps");
  if (start.getTime() >= end.getTime()) throw new InvalidInputError("from must be before to");
  if (end.getTime() - start.getTime() > MAX_RANGE_MS) throw new InvalidInputError("from and to may be at most 93 days apart");
  const [rule] = await ctx.db
    .select({ id: rules.id, mode: rules.mode })
    .from(rules)
    .where(and(eq(rules.id, id), eq(rules.workspaceId, ctx.workspaceId)));
  if (!rule) throw new NotFoundError(`Rule ${id} not found`);
  await shadowStatsWritten(ctx.db);
  const hourStart = new Date(Math.floor(start.getTime() / HOUR_MS) * HOUR_MS);
  const rows = resultRows<{ user_id: string; checks: string; would_deny: string; cost: string }>(
    await ctx.db.execute(sql`select user_id, sum(checks)::text as checks, sum(would_deny)::text as would_deny,
        sum(would_deny_cost_nanos)::text as cost
      from shadow_stats
      where workspace_id = ${ctx.workspaceId} and source_id = ${id}
        and bucket >= ${hourStart.toISOString()}::timestamptz and bucket < ${end.toISOString()}::timestamptz
      group by user_id`),
  );
  const users = rows.map((r) => ({ userId: r.user_id, checks: Number(r.checks), wouldDeny: Number(r.would_deny), cost: BigInt(r.cost) }));
  const denied = users.filter((u) => u.wouldDeny > 0);
  return {
    ruleId: rule.id,
    mode: rule.mode,
    from: hourStart.toISOString(),
    to: end.toISOString(),
    checks: users.reduce((n, u) => n + u.checks, 0),
    wouldDeny: users.reduce((n, u) => n + u.wouldDeny, 0),
    ...money(users.reduce((n, u) => n + u.cost, 0n)),
    endUsers: denied.length,
    top: denied
      .sort((a, b) => b.wouldDeny - a.wouldDeny || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0))
      .slice(0, limit)
      .map((u) => ({ userId: u.userId, wouldDeny: u.wouldDeny, wouldDenyCostUsd: nanosToUsd(u.cost) })),
  };
}

/**
 * Estimate a rule before saving it: replay the last 7 days (to now, UTC) of its calls minute by
 * minute with enforce semantics (rule-preview.ts). `checks` are the recorded calls the rule
 * would have been evaluated on; `endUsers` and `top` count the rule's subjects (`by`): end
 * users for scope user, else the orgs, features, tiers or the workspace it pools.
 */
export async function previewRule({
  ctx,
  input,
  now = new Date(),
  limit = SHADOW_TOP,
}: {
  ctx: ServiceCtx;
  input: z.input<typeof ZCreateRule>;
  now?: Date;
  limit?: number;
}) {
  const parsed = ZCreateRule.parse(input);
  const filters = toFilters(parsed.filters);
  checkScope(parsed.scope, parsed.match, filters);
  const limitValue = toLimitValue(parsed.metric, parsed.limit);
  let members = null;
  try {
    members = await segmentScope(ctx, filters?.segment, now);
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new InvalidInputError(`filters.segment: ${filters?.segment} is not a segment of this workspace`);
    throw err;
  }
  const rule = {
    scope: parsed.scope,
    match: parsed.scope === "workspace" ? null : parsed.match,
    filters,
    metric: parsed.metric,
    window: parsed.window,
    limitValue,
  };
  const { from, to, warmFrom } = previewRange(parsed.window, now);
  const calls = await readReplayCalls(ctx.db, ctx.workspaceId, rule, warmFrom, to, members);
  const summary = summarise(replayRule(rule, calls, from.getTime()), limit);
  return {
    estimate: true as const,
    from: from.toISOString(),
    to: to.toISOString(),
    by: parsed.scope,
    checks: summary.checks,
    wouldDeny: summary.wouldDeny,
    ...money(summary.wouldDenyCostNanos),
    endUsers: summary.endUsers,
    top: summary.top,
  };
}
