import { sql, type SQL } from "drizzle-orm";
import type { Queryable } from "@/db/client";
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
  // A Postgres array literal, bound as one parameter: every element quoted and escaped.
  const subjects = `{${r.subjects.map((s) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(",")}}`;
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

/** Reserve unconditionally (inside the locked transaction of a near-limit check, or a check no blocking rule holds). */
export async function reserve(db: Queryable, r: ReservationSpec) {
  await db.execute(sql`with ${reservationCtes(r, sql`true`)} select 1`);
}
