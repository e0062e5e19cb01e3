import { sql, type SQL } from "drizzle-orm";
import { executePrepared, type Queryable } from "@/db/client";
import { floorToMinute } from "../core/time";
import type { Estimate } from "./estimate";

/** Reservations of allowed checks that never get a record stop counting after this. */
export const RESERVATION_TTL_MS = 10 * 60_000;

/** One allowed check, kept until its record settles it: the checkId and what the record may take from it. */
export interface ReservationSpec {
  /** The checkId (chk_...). */
  id: string;
  workspaceId: string;
  userId: string;
  /** The blocking counters it holds against, sorted: "user:alice", "workspace:" … (may be empty). */
  subjects: string[];
  estimate: Estimate;
  call: { model: string | null; feature: string | null; tier: string | null; orgId: string | null; requestType: string | null };
  now: Date;
}

/**
 * CTEs that insert the reservation and add it to the per-minute reservation counters, only
 * when `condition` holds (so the read that decides and the write can share one statement).
 */
export function reservationCtes(r: ReservationSpec, condition: SQL): SQL {
  const bucket = floorToMinute(r.now).toISOString();
  const tokens = Number(r.estimate.tokens);
  const cost = r.estimate.costNanos.toString();
  const subjects = pgArray(r.subjects);
  const c = r.call;
  const row = sql`rsv as (
      insert into reservations (id, workspace_id, user_id, subjects, model, feature, tier, org_id, request_type, tokens,
        cost_nanos, created_at, expires_at)
      select ${r.id}, ${r.workspaceId}, ${r.userId}, ${subjects}::text[], ${c.model}, ${c.feature}, ${c.tier}, ${c.orgId},
        ${c.requestType}, ${tokens}, ${cost}::bigint, ${r.now.toISOString()}::timestamptz,
        ${new Date(r.now.getTime() + RESERVATION_TTL_MS).toISOString()}::timestamptz
      where ${condition})`;
  if (r.subjects.length === 0) return row;
  return sql`${row}
    , rsv_counts as (
      insert into reservation_counters (workspace_id, subject, bucket, requests, tokens, cost_nanos)
      select ${r.workspaceId}, v.subject, ${bucket}::timestamptz, 1, ${tokens}, ${cost}::bigint
      from (values ${sql.join(
        r.subjects.map((s) => sql`(${s})`),
        sql`, `,
      )}) as v(subject)
      where ${condition}
      on conflict (workspace_id, subject, bucket) do update set
        requests = reservation_counters.requests + 1,
        tokens = reservation_counters.tokens + excluded.tokens,
        cost_nanos = reservation_counters.cost_nanos + excluded.cost_nanos)`;
}

/** A Postgres array literal, bound as one parameter: every element quoted and escaped (null: NULL). */
export function pgArray(values: Array<string | null>): string {
  return `{${values.map((v) => (v === null ? "NULL" : `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`)).join(",")}}`;
}

/**
 * Write many reservations in one statement (the write-behind of checks far from their limits):
 * the rows, and the per-minute counters summed per (subject, minute) first, in a fixed order so
 * that concurrent writers take the counter rows' locks in the same order.
 */
export async function reserveMany(db: Queryable, all: ReservationSpec[]) {
  if (all.length === 0) return;
  const col = <T>(f: (r: ReservationSpec) => T) => all.map(f);
  const counters = new Map<
    string,
    { workspaceId: string; subject: string; bucket: string; requests: number; tokens: bigint; cost: bigint }
  >();
  for (const r of all) {
    const bucket = floorToMinute(r.now).toISOString();
    for (const subject of r.subjects) {
      const key = `${r.workspaceId}\u001f${subject}\u001f${bucket}`;
      const c = counters.get(key) ?? { workspaceId: r.workspaceId, subject, bucket, requests: 0, tokens: 0n, cost: 0n };
      c.requests += 1;
      c.tokens += r.estimate.tokens;
      c.cost += r.estimate.costNanos;
      counters.set(key, c);
    }
  }
  const sums = [...counters.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c);
  const rows = sql`rsv as (
      insert into reservations (id, workspace_id, user_id, subjects, model, feature, tier, org_id, request_type, tokens,
        cost_nanos, created_at, expires_at)
      select id, workspace_id, user_id, subjects::text[], model, feature, tier, org_id, request_type, tokens, cost_nanos,
        created_at, created_at + ${`${RESERVATION_TTL_MS} milliseconds`}::interval
      from unnest(${pgArray(col((r) => r.id))}::text[], ${pgArray(col((r) => r.workspaceId))}::text[],
        ${pgArray(col((r) => r.userId))}::text[], ${pgArray(col((r) => pgArray(r.subjects)))}::text[],
        ${pgArray(col((r) => r.call.model))}::text[], ${pgArray(col((r) => r.call.feature))}::text[],
        ${pgArray(col((r) => r.call.tier))}::text[], ${pgArray(col((r) => r.call.orgId))}::text[],
        ${pgArray(col((r) => r.call.requestType))}::text[], ${pgArray(col((r) => r.estimate.tokens.toString()))}::bigint[],
        ${pgArray(col((r) => r.estimate.costNanos.toString()))}::bigint[], ${pgArray(col((r) => r.now.toISOString()))}::timestamptz[])
        as v(id, workspace_id, user_id, subjects, model, feature, tier, org_id, request_type, tokens, cost_nanos, created_at))`;
  if (sums.length === 0) {
    await executePrepared(db, sql`with ${rows} select 1`);
    return;
  }
  // Prepared: the write-behind runs for every few checks, and its text never changes.
  await executePrepared(
    db,
    sql`with ${rows}
    , rsv_counts as (
      insert into reservation_counters (workspace_id, subject, bucket, requests, tokens, cost_nanos)
      select * from unnest(${pgArray(sums.map((c) => c.workspaceId))}::text[], ${pgArray(sums.map((c) => c.subject))}::text[],
        ${pgArray(sums.map((c) => c.bucket))}::timestamptz[], ${pgArray(sums.map((c) => String(c.requests)))}::int[],
        ${pgArray(sums.map((c) => c.tokens.toString()))}::bigint[], ${pgArray(sums.map((c) => c.cost.toString()))}::bigint[])
      on conflict (workspace_id, subject, bucket) do update set
        requests = reservation_counters.requests + excluded.requests,
        tokens = reservation_counters.tokens + excluded.tokens,
        cost_nanos = reservation_counters.cost_nanos + excluded.cost_nanos)
    select 1`,
  );
}

/** Reserve unconditionally (inside the locked transaction of a near-limit check, or a check no blocking rule holds). */
export async function reserve(db: Queryable, r: ReservationSpec) {
  await db.execute(sql`with ${reservationCtes(r, sql`true`)} select 1`);
}
