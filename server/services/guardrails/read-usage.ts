import { sql } from "drizzle-orm";
import { executePrepared, resultRows, type Queryable } from "@/db/client";
import type { RuleWindow } from "@/db/schema";
import { windowStart } from "../core/windows";
import { floorToMinute } from "../core/time";
import { RESERVATION_TTL_MS } from "./reserve";

export type { Subject } from "./rule-subject";
import type { Subject } from "./rule-subject";

export interface SubjectUsage {
  requests: bigint;
  tokens: bigint;
  costNanos: bigint;
  oldestBucket: Date | null;
}

/**
 * Usage of each (subject, window) in ONE statement: rollup counters plus the open
 * reservations of allowed-but-not-yet-recorded calls (per-minute reservation counters). One
 * statement means one snapshot, so a record that turns a reservation into an event between
 * two reads cannot be missed or counted twice.
 */
export async function readUsage(
  db: Queryable,
  workspaceId: string,
  subjects: Array<Subject & { window: RuleWindow }>,
  now: Date,
): Promise<{ usage: SubjectUsage[] }> {
  const parts = subjects.map((s, i) => {
    const { start, reservedFrom } = usageWindow(s.window, now);
    const subject = `${s.dimension}:${s.key}`;
    return sql`select ${i}::int as i,
      coalesce(sum(r.requests), 0)::text as requests,
      coalesce(sum(r.total_tokens), 0)::text as tokens,
      coalesce(sum(r.cost_nanos), 0)::text as cost,
      min(r.bucket) as oldest,
      min(c.requests)::text as rsv_requests,
      min(c.tokens)::text as rsv_tokens,
      min(c.cost)::text as rsv_cost
      from (select coalesce(sum(requests), 0) as requests, coalesce(sum(tokens), 0) as tokens,
              coalesce(sum(cost_nanos), 0) as cost
            from reservation_counters
            where workspace_id = ${workspaceId} and subject = ${subject} and bucket >= ${reservedFrom}::timestamptz) c
      left join usage_rollups r
        on r.workspace_id = ${workspaceId} and r.dimension = ${s.dimension} and r.key = ${s.key} and r.bucket >= ${start}::timestamptz`;
  });
  const rows = await executePrepared<UsageRow & { i: number }>(db, sql.join(parts, sql` union all `));
  const out: SubjectUsage[] = [];
  for (const r of rows) out[Number(r.i)] = usageOfRow(r);
  return { usage: out };
}

/**
 * Where a (subject, window) read starts: the window's first bucket, and for open reservations
 * the later of that and the reservation TTL. ISO strings: postgres.js cannot bind a Date in a raw statement.
 */
export function usageWindow(window: RuleWindow, now: Date): { start: string; reservedFrom: string } {
  const from = windowStart(window, now);
  const reservedFrom = Math.max(from.getTime(), floorToMinute(new Date(now.getTime() - RESERVATION_TTL_MS)).getTime());
  return { start: from.toISOString(), reservedFrom: new Date(reservedFrom).toISOString() };
}

/** A usage read's row (rollup sums and open reservations, as text: bigints) → one subject's usage. */
export interface UsageRow {
  requests: string;
  tokens: string;
  cost: string;
  oldest: Date | string | null;
  rsv_requests: string;
  rsv_tokens: string;
  rsv_cost: string;
}

export function usageOfRow(r: UsageRow): SubjectUsage {
  return {
    requests: BigInt(r.requests) + BigInt(r.rsv_requests),
    tokens: BigInt(r.tokens) + BigInt(r.rsv_tokens),
    costNanos: BigInt(r.cost) + BigInt(r.rsv_cost),
    oldestBucket: r.oldest ? new Date(r.oldest) : null,
  };
}

/** The window's buckets, oldest first, for working out when a rolling window frees up. */
export async function readBuckets(
  db: Queryable,
  workspaceId: string,
  subject: Subject,
  window: RuleWindow,
  metric: "requests" | "tokens" | "cost_usd",
  now: Date,
): Promise<Array<{ bucket: Date; amount: bigint }>> {
  const column = metric === "requests" ? sql`requests` : metric === "tokens" ? sql`total_tokens` : sql`cost_nanos`;
  const rows = resultRows<{ bucket: Date | string; amount: string }>(
    await db.execute(sql`select bucket, sum(${column})::text as amount from usage_rollups
      where workspace_id = ${workspaceId} and dimension = ${subject.dimension} and key = ${subject.key}
        and bucket >= ${windowStart(window, now).toISOString()}::timestamptz
      group by bucket order by bucket`),
  );
  return rows.map((r) => ({ bucket: new Date(r.bucket), amount: BigInt(r.amount) }));
}
