import { sql } from "drizzle-orm";
import { resultRows, type Db } from "@/db/client";
import { log } from "@/server/lib/log";
import { ADD_TO_ROLLUP } from "../metering/insert-event-sql";

/** Minute buckets older than this become hour buckets: past every rolling window (24 h) with a margin. */
export const COMPACT_AFTER_MS = 48 * 3600_000;

/**
 * Fold minute rollups older than 48 hours into hour rollups, so usage tables stay small without
 * changing any sum: every counter is added to its hour's row and the minute rows are deleted.
 * A late record for an old minute is folded in by a later run.
 *
 * One workspace at a time, each in its own statement (its own transaction): a workspace whose
 * sums cannot be folded (an hour row past the int8 range) keeps its minute rows and is logged,
 * and every other workspace is still compacted.
 */
export async function compactRollups(db: Db, now = new Date()) {
  const cutoff = new Date(Math.floor((now.getTime() - COMPACT_AFTER_MS) / 3600_000) * 3600_000).toISOString();
  const due = resultRows<{ workspace_id: string }>(
    await db.execute(sql`select distinct workspace_id from usage_rollups
      where granularity = 'minute' and bucket < ${cutoff}::timestamptz order by workspace_id`),
  );
  let minuteRowsFolded = 0;
  const failedWorkspaces: string[] = [];
  for (const { workspace_id: workspaceId } of due) {
    try {
      minuteRowsFolded += await compactWorkspace(db, workspaceId, cutoff);
    } catch (err) {
      failedWorkspaces.push(workspaceId);
      log.error("rollup compaction failed for a workspace; its minute rows are kept", { workspaceId, err });
    }
  }
  return { minuteRowsFolded, failedWorkspaces };
}

async function compactWorkspace(db: Db, workspaceId: string, cutoff: string): Promise<number> {
  const moved = resultRows<{ n: number }>(
    await db.execute(sql`with gone as (
        delete from usage_rollups
        where workspace_id = ${workspaceId} and granularity = 'minute' and bucket < ${cutoff}::timestamptz
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
  return Number(moved[0]?.n ?? 0);
}
