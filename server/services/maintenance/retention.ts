import { sql } from "drizzle-orm";
import { resultRows, type Db } from "@/db/client";
import { workspaces } from "@/db/schema";
import { log } from "@/server/lib/log";
import { effectivePlan } from "../billing/plans";
import { RETENTION_DAYS, retentionDays } from "../core/plans";
import { firstRecordableMonth, listEventPartitions, type MonthPartition } from "./partitions";

/** Days of events and payload logs kept per plan (DESIGN.md, core/plans.ts); enterprise sets its own. */
export { RETENTION_DAYS, retentionDays };

/** Enterprise keeps its audit trail at least a year, whatever its data retention. */
const ENTERPRISE_AUDIT_DAYS = 365;
/** After a paid plan stops applying, nothing is deleted for a week: time to pay, or to export. */
export const DOWNGRADE_GRACE_DAYS = 7;
const DAY = 86_400_000;
const BATCH = 5_000;

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

/**
 * The most days of events any workspace may still keep: its retention, or, within the grace
 * week (when nothing of it is deleted), the longest a plan or its own setting could have kept.
 */
export function longestRetentionDays(all: RetentionRow[], now: Date): number {
  const longestPlan = Math.max(...Object.values(RETENTION_DAYS));
  return all.reduce((longest, w) => {
    const days = retentionFor(w, now)?.days ?? Math.max(longestPlan, w.retentionDays ?? 0);
    return Math.max(longest, days);
  }, 0);
}

/**
 * The month partitions of events past every workspace's retention: dropped whole instead of
 * deleted row by row. Never a month a record can still land in (they are kept and ensured).
 */
export function expiredPartitions(partitions: MonthPartition[], longestDays: number, now: Date): MonthPartition[] {
  const cutoff = Math.min(now.getTime() - longestDays * DAY, firstRecordableMonth(now).getTime());
  return partitions.filter((p) => p.to.getTime() <= cutoff);
}

/**
 * Drop one month of events: first the idempotency keys of its events (event_keys, in batches along
 * the partition's primary key), then the partition, with a short lock timeout so a busy moment only
 * postpones it to the next run. Returns how many events it held.
 */
async function dropPartition(db: Db, p: MonthPartition): Promise<number> {
  const table = sql.identifier(p.name);
  let total = 0;
  let after = "";
  for (;;) {
    const [row] = resultRows<{ n: number; last: string | null }>(
      await db.execute(sql`with batch as (
          select id, workspace_id, request_id from ${table} where id > ${after} order by id limit ${BATCH}),
        keys as (delete from event_keys k using batch b where k.workspace_id = b.workspace_id and k.request_id = b.request_id)
        select count(*)::int as n, max(id) as last from batch`),
    );
    total += Number(row?.n ?? 0);
    if (!row?.last || Number(row.n) < BATCH) break;
    after = row.last;
  }
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local lock_timeout = '5s'`);
    await tx.execute(sql`drop table if exists ${table}`);
  });
  return total;
}

/** Drop the months past every workspace's retention; returns what went. */
async function dropExpiredPartitions(db: Db, all: RetentionRow[], now: Date) {
  const expired = expiredPartitions(await listEventPartitions(db), longestRetentionDays(all, now), now);
  let events = 0;
  for (const p of expired) events += await dropPartition(db, p);
  if (expired.length) log.info("event partitions dropped", { partitions: expired.map((p) => p.name), events });
  return { partitions: expired.length, events };
}

/** Delete a workspace's events older than `before` in batches, with their idempotency keys. */
async function deleteEventsBatched(db: Db, workspaceId: string, before: Date) {
  let total = 0;
  for (;;) {
    const rows = resultRows<{ n: number }>(
      await db.execute(sql`with gone as (
          delete from events where occurred_at < ${before.toISOString()}::timestamptz and (id, occurred_at) in (
            select id, occurred_at from events where workspace_id = ${workspaceId} and occurred_at < ${before.toISOString()}::timestamptz
            limit ${BATCH})
          returning workspace_id, request_id),
        keys as (delete from event_keys k using gone g where k.workspace_id = g.workspace_id and k.request_id = g.request_id)
        select count(*)::int as n from gone`),
    );
    const n = Number(rows[0]?.n ?? 0);
    total += n;
    if (n < BATCH) return total;
  }
}

type Aged =
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

/** Shadow counters (shadow_stats: no id column) live as long as the events of their hours. */
async function deleteShadowStats(db: Db, workspaceId: string, before: Date) {
  for (;;) {
    const rows = resultRows<{ n: number }>(
      await db.execute(sql`with gone as (
          delete from shadow_stats where (workspace_id, source_id, bucket, user_id) in (
            select workspace_id, source_id, bucket, user_id from shadow_stats
            where workspace_id = ${workspaceId} and bucket < ${before.toISOString()}::timestamptz limit ${BATCH})
          returning 1)
        select count(*)::int as n from gone`),
    );
    if (Number(rows[0]?.n ?? 0) < BATCH) return;
  }
}

/**
 * Drop the months of events past every workspace's retention, then delete, per workspace and in
 * batches, what is older than its retention: events (with their idempotency keys), payload logs,
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
  const dropped = await dropExpiredPartitions(db, all, now);
  const totals = { events: dropped.events, partitionsDropped: dropped.partitions, logs: 0, deliveries: 0, outbox: 0, audit: 0, inGrace: 0 };
  for (const w of all) {
    const retention = retentionFor(w, now);
    if (!retention) {
      totals.inGrace++;
      continue;
    }
    const before = new Date(now.getTime() - retention.days * DAY);
    totals.events += await deleteEventsBatched(db, w.id, before);
    totals.logs += await deleteBatched(db, ["payload_logs", "created_at"], w.id, before);
    // Intent labels and label-policy firings live as long as the events they came from.
    await deleteBatched(db, ["end_user_labels", "occurred_at"], w.id, before);
    await deleteBatched(db, ["policy_firings", "expires_at"], w.id, before);
    totals.deliveries += await deleteBatched(db, ["alert_deliveries", "created_at"], w.id, before);
    totals.outbox += await deleteBatched(db, ["outbox", "created_at"], w.id, before);
    await deleteShadowStats(db, w.id, before);
    totals.audit += await deleteBatched(db, ["audit_logs", "created_at"], w.id, new Date(now.getTime() - retention.auditDays * DAY));
  }
  if (Object.values(totals).some(Boolean)) log.info("retention cleanup", totals);
  return { workspaces: all.length, ...totals };
}
