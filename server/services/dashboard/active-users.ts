import { sql } from "drizzle-orm";
import { z } from "zod";
import { resultRows } from "@/db/client";
import type { ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";

export const ACTIVE_USER_INTERVALS = ["day", "week"] as const;

export const ZActiveUsersQuery = z.object({
  from: z.coerce.date(),
  to: z.coerce.date(),
  /** Absent → days up to 60 days, weeks (starting Monday, UTC) beyond. */
  interval: z.enum(ACTIVE_USER_INTERVALS).optional(),
});
export type TActiveUsers = z.input<typeof ZActiveUsersQuery>;

const DAY_MS = 86_400_000;
const STEP_MS = { day: DAY_MS, week: 7 * DAY_MS };
const DAILY_UP_TO_DAYS = 60;
const MAX_PERIODS = 2_000;

/** The UTC day or ISO week (Monday) that contains `date`. */
export function periodStart(date: Date, interval: "day" | "week"): Date {
  const day = Math.floor(date.getTime() / DAY_MS) * DAY_MS;
  if (interval === "day") return new Date(day);
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return new Date(day - weekday * DAY_MS);
}

const isoDay = (d: Date | string) => new Date(d).toISOString().slice(0, 10);

/**
 * Active end users (distinct users with at least one request, from the per-user rollups) and
 * new end users (first seen, `end_users.first_seen_at`) per UTC day or week of [from, to), and
 * for the whole range: distinct active users over the range (not the sum of the periods, where
 * a user active on two days counts twice) and users first seen in it. Every period of the
 * range is listed, empty ones with zeros; the first and last may be cut by the range.
 */
export async function getActiveUsers({ ctx, input }: { ctx: ServiceCtx; input: TActiveUsers }) {
  const q = ZActiveUsersQuery.parse(input);
  if (q.to <= q.from) throw new InvalidInputError("to must be after from");
  const span = q.to.getTime() - q.from.getTime();
  const interval = q.interval ?? (span <= DAILY_UP_TO_DAYS * DAY_MS ? "day" : "week");
  if (span / STEP_MS[interval] > MAX_PERIODS) {
    throw new InvalidInputError(`That range has more than ${MAX_PERIODS} ${interval}s: choose a larger interval`);
  }
  const from = q.from.toISOString();
  const to = q.to.toISOString();
  const inRange = sql`workspace_id = ${ctx.workspaceId} and dimension = 'user' and requests > 0
    and bucket >= ${from}::timestamptz and bucket < ${to}::timestamptz`;
  const joined = sql`workspace_id = ${ctx.workspaceId}
    and first_seen_at >= ${from}::timestamptz and first_seen_at < ${to}::timestamptz`;
  const [active, fresh, totals] = await Promise.all([
    ctx.db.execute(sql`select date_trunc(${interval}, bucket, 'UTC') as t, count(distinct key)::int as n
      from usage_rollups where ${inRange} group by 1`),
    ctx.db.execute(sql`select date_trunc(${interval}, first_seen_at, 'UTC') as t, count(*)::int as n
      from end_users where ${joined} group by 1`),
    ctx.db.execute(sql`select (select count(distinct key) from usage_rollups where ${inRange})::int as active,
      (select count(*) from end_users where ${joined})::int as fresh`),
  ]);
  const byDay = (rows: unknown) => new Map(resultRows<{ t: Date | string; n: number }>(rows).map((r) => [isoDay(r.t), Number(r.n)]));
  const activeBy = byDay(active);
  const newBy = byDay(fresh);
  const data: Array<{ start: string; active: number; new: number }> = [];
  for (let t = periodStart(q.from, interval).getTime(); t < q.to.getTime(); t += STEP_MS[interval]) {
    const start = isoDay(new Date(t));
    data.push({ start, active: activeBy.get(start) ?? 0, new: newBy.get(start) ?? 0 });
  }
  const [sum] = resultRows<{ active: number; fresh: number }>(totals);
  return { from, to, interval, data, totals: { active: Number(sum!.active), new: Number(sum!.fresh) } };
}
export type TActiveUsersResult = Awaited<ReturnType<typeof getActiveUsers>>;
