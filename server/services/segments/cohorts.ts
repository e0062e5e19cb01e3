import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { resultRows } from "@/db/client";
import type { ServiceCtx } from "../context";
import { nanosToUsd } from "../core/pricing";
import { DAY_MS, floorToDay } from "../core/time";
import { segmentScope } from "./segment-sql";

export const COHORT_PERIODS = ["week", "month"] as const;
export const COHORT_METRICS = ["active_users", "requests", "cost_usd"] as const;
export type TCohortPeriod = (typeof COHORT_PERIODS)[number];

export const ZCohortQuery = z.object({
  /** UTC ISO weeks (from Monday) or calendar months. */
  period: z.enum(COHORT_PERIODS).default("week"),
  /** active_users: distinct end users with a request in the period (retention); requests; cost_usd (exact sum). */
  metric: z.enum(COHORT_METRICS).default("active_users"),
  /** How many cohorts, counting back from the current period (which is the last). */
  periods: z.number().int().min(1).max(52).default(12),
  /** Only the end users who are members of this segment now. */
  segment: z.string().min(1).max(100).optional(),
});
export type TCohortQuery = z.input<typeof ZCohortQuery>;

export interface Cohort {
  /** First day of the cohort's period, YYYY-MM-DD (UTC). */
  start: string;
  /** End users first seen in that period. */
  size: number;
  /** The metric for those end users in the cohort's own period (0) and each later one that has started. */
  values: number[];
}

/** The first instant (UTC) of the period holding `d`. */
export function periodStart(period: TCohortPeriod, d: Date): Date {
  if (period === "month") return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  const day = floorToDay(d);
  return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS); // Monday = 0
}

/** The first instant of the period `n` periods after (negative: before) the one starting at `start`. */
export function shiftPeriod(period: TCohortPeriod, start: Date, n: number): Date {
  if (period === "month") return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + n, 1));
  return new Date(start.getTime() + n * 7 * DAY_MS);
}

const dayKey = (d: Date) => d.toISOString().slice(0, 10);

type ActivityRow = { cohort: string; period: string; users: number | string; requests: string; cost: string };

/**
 * End users grouped by the period of their first_seen_at, and for each cohort the metric in each
 * period since, read from the per-user rollups. Periods start at UTC midnight and every rollup
 * bucket starts on the minute or the hour, so each bucket lies wholly in one period: the sums are exact.
 */
export async function cohortTable({ ctx, input, now = new Date() }: { ctx: ServiceCtx; input: TCohortQuery; now?: Date }) {
  const q = ZCohortQuery.parse(input);
  const current = periodStart(q.period, now);
  const starts = Array.from({ length: q.periods }, (_, i) => shiftPeriod(q.period, current, i - q.periods + 1));
  const from = sql`${starts[0]!.toISOString()}::timestamptz`;
  const end = sql`${shiftPeriod(q.period, current, 1).toISOString()}::timestamptz`;
  const scope = await segmentScope(ctx, q.segment, now);
  const members = scope ? sql`and eu.user_id in (${scope})` : sql``;
  // The period of a timestamp as its first day, read the same whatever the session's time zone.
  const periodOf = (col: SQL) => sql`to_char(date_trunc(${q.period}, ${col}, 'UTC') at time zone 'UTC', 'YYYY-MM-DD')`;
  const cohortUsers = sql`eu.workspace_id = ${ctx.workspaceId} and eu.first_seen_at >= ${from} and eu.first_seen_at < ${end} ${members}`;

  const sizes = resultRows<{ cohort: string; size: number | string }>(
    await ctx.db.execute(sql`select ${periodOf(sql`eu.first_seen_at`)} as cohort, count(*)::int as size
      from end_users eu where ${cohortUsers} group by 1`),
  );
  const activity = resultRows<ActivityRow>(
    await ctx.db.execute(sql`select ${periodOf(sql`eu.first_seen_at`)} as cohort, ${periodOf(sql`r.bucket`)} as period,
        (count(distinct r.key) filter (where r.requests > 0))::int as users,
        coalesce(sum(r.requests), 0)::text as requests, coalesce(sum(r.cost_nanos), 0)::text as cost
      from end_users eu
      join usage_rollups r on r.workspace_id = eu.workspace_id and r.dimension = 'user' and r.key = eu.user_id
      where ${cohortUsers} and r.bucket >= ${from} and r.bucket < ${end}
      group by 1, 2`),
  );

  const sizeOf = new Map(sizes.map((s) => [s.cohort, Number(s.size)]));
  const cells = new Map(activity.map((a) => [`${a.cohort}|${a.period}`, a]));
  const value = (row: ActivityRow | undefined): number => {
    if (!row) return 0;
    if (q.metric === "active_users") return Number(row.users);
    if (q.metric === "requests") return Number(row.requests);
    return nanosToUsd(BigInt(row.cost));
  };
  const cohorts: Cohort[] = starts.map((start, i) => {
    const key = dayKey(start);
    return {
      start: key,
      size: sizeOf.get(key) ?? 0,
      values: starts.slice(i).map((p) => value(cells.get(`${key}|${dayKey(p)}`))),
    };
  });
  return { cohorts };
}
