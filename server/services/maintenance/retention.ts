import { sql } from "drizzle-orm";
import { resultRows, type Db } from "@/db/client";
import { workspaces, type Plan } from "@/db/schema";
import { log } from "@/server/lib/log";

/** Days of events and payload logs kept per plan (DESIGN.md); enterprise sets its own. */
export const RETENTION_DAYS: Record<Plan, number> = { free: 7, starter: 30, growth: 90, enterprise: 365 };
const BATCH = 5_000;

export function retentionDays(plan: Plan, custom: number | null): number {
  return plan === "enterprise" && custom ? custom : RETENTION_DAYS[plan];
}

async function deleteBatched(
  db: Db,
  table: "events" | "payload_logs" | "end_user_labels" | "policy_firings",
  column: "occurred_at" | "created_at" | "expires_at",
  workspaceId: string,
  before: Date,
) {
  let total = 0;
  for (;;) {
    const rows = resultRows<{ n: number }>(
      await db.execute(sql`with gone as (
          delete from ${sql.raw(table)} where id in (
            select id from ${sql.raw(table)} where workspace_id = ${workspaceId} and ${sql.raw(column)} < ${before.toISOString()}::timestamptz
            limit ${BATCH})
          returning 1)
        select count(*)::int as n from gone`),
    );
    const n = Number(rows[0]?.n ?? 0);
    total += n;
    if (n < BATCH) return total;
  }
}

/**
 * Delete events, payload logs, end-user labels and past policy firings older than each
 * workspace's retention, in batches.
 * Rollups are never touched: usage totals over any range stay exactly as they were.
 */
export async function runRetention(db: Db, now = new Date()) {
  const all = await db.select({ id: workspaces.id, plan: workspaces.plan, retentionDays: workspaces.retentionDays }).from(workspaces);
  let events = 0;
  let logs = 0;
  for (const w of all) {
    const before = new Date(now.getTime() - retentionDays(w.plan, w.retentionDays) * 86_400_000);
    events += await deleteBatched(db, "events", "occurred_at", w.id, before);
    logs += await deleteBatched(db, "payload_logs", "created_at", w.id, before);
    // Intent labels and label-policy firings live as long as the events they came from.
    await deleteBatched(db, "end_user_labels", "occurred_at", w.id, before);
    await deleteBatched(db, "policy_firings", "expires_at", w.id, before);
  }
  if (events || logs) log.info("retention cleanup", { events, logs });
  return { workspaces: all.length, events, logs };
}
