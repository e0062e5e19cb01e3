import { sql } from "drizzle-orm";
import { resultRows, type Db } from "@/db/client";
import { workspaces, type Plan } from "@/db/schema";
import { log } from "@/server/lib/log";
import { effectivePlan } from "../billing/plans";

/** Days of events and payload logs kept per plan (DESIGN.md); enterprise sets its own. */
export const RETENTION_DAYS: Record<Plan, number> = { free: 7, starter: 30, growth: 90, enterprise: 365 };
/** Enterprise keeps its audit trail at least a year, whatever its data retention. */
const ENTERPRISE_AUDIT_DAYS = 365;
/** After a paid plan stops applying, nothing is deleted for a week: time to pay, or to export. */
export const DOWNGRADE_GRACE_DAYS = 7;
const DAY = 86_400_000;
const BATCH = 5_000;

export function retentionDays(plan: Plan, custom: number | null): number {
  return plan === "enterprise" && custom ? custom : RETENTION_DAYS[plan];
}

type RetentionRow = Pick<
  typeof workspaces.$inferSelect,
  "id" | "plan" | "retentionDays" | "subscriptionStatus" | "graceUntil" | "droppedToFreeAt"
>;

/**
 * What retention applies to a workspace now: the effective plan's (a lapsed subscription's
 * stored plan no longer counts), or null within the grace week after a paid plan ended — when
 * the subscription was canceled or went unpaid, when a failed payment's grace ran out, or when
 * an owner set Free by hand.
 */
export function retentionFor(w: RetentionRow, now: Date): { days: number; auditDays: number } | null {
  const plan = effectivePlan(w, now);
  if (plan === "free") {
    const droppedAt = w.droppedToFreeAt ?? (w.subscriptionStatus === "past_due" ? w.graceUntil : null);
    if (droppedAt && now.getTime() - droppedAt.getTime() < DOWNGRADE_GRACE_DAYS * DAY) return null;
  }
  const days = retentionDays(plan, w.retentionDays);
  return { days, auditDays: plan === "enterprise" ? Math.max(days, ENTERPRISE_AUDIT_DAYS) : days };
}

type Aged =
  | ["events", "occurred_at"]
  | ["payload_logs" | "alert_deliveries" | "audit_logs" | "outbox", "created_at"]
  | ["end_user_labels", "occurred_at"]
  | ["policy_firings", "expires_at"];

async function deleteBatched(db: Db, [table, column]: Aged, workspaceId: string, before: Date) {
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
 * Delete, per workspace and in batches, what is older than its retention: events, payload logs,
 * end-user labels, past policy firings, alert deliveries (their payloads and the receivers'
 * answers), outbox entries (delivered or given up on) and audit rows (enterprise: a year at least).
 * Rollups are never touched: usage totals over any range stay exactly as they were.
 */
export async function runRetention(db: Db, now = new Date()) {
  const all = await db
    .select({
      id: workspaces.id,
      plan: workspaces.plan,
      retentionDays: workspaces.retentionDays,
      subscriptionStatus: workspaces.subscriptionStatus,
      graceUntil: workspaces.graceUntil,
      droppedToFreeAt: workspaces.droppedToFreeAt,
    })
    .from(workspaces);
  const totals = { events: 0, logs: 0, deliveries: 0, outbox: 0, audit: 0, inGrace: 0 };
  for (const w of all) {
    const retention = retentionFor(w, now);
    if (!retention) {
      totals.inGrace++;
      continue;
    }
    const before = new Date(now.getTime() - retention.days * DAY);
    totals.events += await deleteBatched(db, ["events", "occurred_at"], w.id, before);
    totals.logs += await deleteBatched(db, ["payload_logs", "created_at"], w.id, before);
    // Intent labels and label-policy firings live as long as the events they came from.
    await deleteBatched(db, ["end_user_labels", "occurred_at"], w.id, before);
    await deleteBatched(db, ["policy_firings", "expires_at"], w.id, before);
    totals.deliveries += await deleteBatched(db, ["alert_deliveries", "created_at"], w.id, before);
    totals.outbox += await deleteBatched(db, ["outbox", "created_at"], w.id, before);
    totals.audit += await deleteBatched(db, ["audit_logs", "created_at"], w.id, new Date(now.getTime() - retention.auditDays * DAY));
  }
  if (Object.values(totals).some(Boolean)) log.info("retention cleanup", totals);
  return { workspaces: all.length, ...totals };
}
