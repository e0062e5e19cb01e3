import { sql, type SQL } from "drizzle-orm";
import { resultRows, type Queryable } from "@/db/client";
import type { Dimension, RuleWindow } from "@/db/schema";
import { windowStart } from "./windows";

export interface Subject {
  dimension: Dimension;
  key: string;
}

export interface SubjectUsage {
  requests: bigint;
  tokens: bigint;
  costNanos: bigint;
  oldestBucket: Date | null;
}

const RESERVATION_COLUMN: Record<Dimension, SQL | null> = {
  workspace: null,
  user: sql`user_id`,
  org: sql`org_id`,
  feature: sql`feature`,
  tier: sql`tier`,
  model: null,
};

/**
 * Usage of each (subject, window) in ONE statement: rollup counters plus the open
 * reservations of allowed-but-not-yet-recorded calls. One statement means one snapshot, so
 * a record that turns a reservation into an event between two reads cannot be missed.
 */
export async function readUsage(
  db: Queryable,
  workspaceId: string,
  subjects: Array<Subject & { window: RuleWindow }>,
  now: Date,
): Promise<SubjectUsage[]> {
  const parts = subjects.map((s, i) => {
    // ISO strings, not Dates: postgres.js cannot bind a Date in a raw statement.
    const start = windowStart(s.window, now).toISOString();
    const nowIso = now.toISOString();
    const column = RESERVATION_COLUMN[s.dimension];
    const match = column ? sql`and ${column} = ${s.key}` : sql``;
    return sql`select ${i}::int as i,
      coalesce(sum(requests), 0)::text as requests,
      coalesce(sum(total_tokens), 0)::text as tokens,
      coalesce(sum(cost_nanos), 0)::text as cost,
      min(bucket) as oldest,
      (select count(*) from reservations where workspace_id = ${workspaceId} ${match}
         and created_at >= ${start}::timestamptz and expires_at > ${nowIso}::timestamptz)::text as rsv_requests,
      (select coalesce(sum(tokens), 0) from reservations where workspace_id = ${workspaceId} ${match}
         and created_at >= ${start}::timestamptz and expires_at > ${nowIso}::timestamptz)::text as rsv_tokens,
      (select coalesce(sum(cost_nanos), 0) from reservations where workspace_id = ${workspaceId} ${match}
         and created_at >= ${start}::timestamptz and expires_at > ${nowIso}::timestamptz)::text as rsv_cost
      from usage_rollups
      where workspace_id = ${workspaceId} and dimension = ${s.dimension} and key = ${s.key} and bucket >= ${start}::timestamptz`;
  });
  const rows = resultRows<{
    i: number;
    requests: string;
    tokens: string;
    cost: string;
    oldest: Date | string | null;
    rsv_requests: string;
    rsv_tokens: string;
    rsv_cost: string;
  }>(await db.execute(sql.join(parts, sql` union all `)));
  const out: SubjectUsage[] = [];
  for (const r of rows) {
    out[Number(r.i)] = {
      requests: BigInt(r.requests) + BigInt(r.rsv_requests),
      tokens: BigInt(r.tokens) + BigInt(r.rsv_tokens),
      costNanos: BigInt(r.cost) + BigInt(r.rsv_cost),
      oldestBucket: r.oldest ? new Date(r.oldest) : null,
    };
  }
  return out;
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
