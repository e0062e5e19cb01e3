import { sql } from "drizzle-orm";
import { resultRows, type Db } from "@/db/client";
import { ADD_TO_ROLLUP } from "../metering/insert-event-sql";

/** Minute buckets older than this become hour buckets: past every rolling window (24 h) with a margin. */
export const COMPACT_AFTER_MS = 48 * 3600_000;

/**
 * Fold minute rollups older than 48 hours into hour rollups, in one transaction, so usage
 * tables stay small without changing any sum: every counter is added to its hour's row and
 * the minute rows are deleted. A late record for an old minute is folded in by a later run.
 */
export async function compactRollups(db: Db, now = new Date()) {
  const cutoff = new Date(Math.floor((now.getTime() - COMPACT_AFTER_MS) / 3600_000) * 3600_000).toISOString();
  return db.transaction(async (tx) => {
    const moved = resultRows<{ n: number }>(
      await tx.execute(sql`with gone as (
          delete from usage_rollups where granularity = 'minute' and bucket < ${cutoff}::timestamptz
          returning workspace_id, dimension, key, bucket, requests, input_tokens, cached_input_tokens, output_tokens,
            reasoning_tokens, total_tokens, cost_nanos, unpriced_requests),
        folded as (
          insert into usage_rollups (workspace_id, dimension, key, granularity, bucket, requests, input_tokens,
            cached_input_tokens, output_tokens, reasoning_tokens, total_tokens, cost_nanos, unpriced_requests)
          select workspace_id, dimension, key, 'hour', date_trunc('hour', bucket, 'UTC'), sum(requests), sum(input_tokens),
            sum(cached_input_tokens), sum(output_tokens), sum(reasoning_tokens), sum(total_tokens), sum(cost_nanos), sum(unpriced_requests)
          from gone group by workspace_id, dimension, key, date_trunc('hour', bucket, 'UTC')
          ${ADD_TO_ROLLUP}
          returning 1)
        select (select count(*) from gone)::int as n`),
    );
    return { minuteRowsFolded: Number(moved[0]?.n ?? 0) };
  });
}
