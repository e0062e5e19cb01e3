import { sql } from "drizzle-orm";
import { resultRows, type Db, type Queryable } from "@/db/client";
import { log } from "@/server/lib/log";

/**
 * events is partitioned by UTC month on occurred_at (migration 0012): events_2026_12 holds
 * [2026-12-01, 2027-01-01). Months are created ahead of time so a record never has to; the
 * DEFAULT partition (events_default) only catches what falls outside them (a clock far off),
 * so an insert never fails.
 */
export const DEFAULT_PARTITION = "events_default";
/** How old a record's timestamp may be (metering/record-event.ts): its month must exist. */
const RECORDS_REACH_BACK_MS = 35 * 86_400_000;
/** Months created beyond the current one. */
const MONTHS_AHEAD = 2;
/** Serialises concurrent runs (several app processes starting, the cron). */
const PARTITIONS_LOCK = 727274003;

export interface MonthPartition {
  name: string;
  from: Date;
  to: Date;
}

/** The partition of the UTC month that starts at `from`. */
export function monthPartition(from: Date): MonthPartition {
  const y = from.getUTCFullYear();
  const m = from.getUTCMonth();
  return {
    name: `events_${y}_${String(m + 1).padStart(2, "0")}`,
    from: new Date(Date.UTC(y, m, 1)),
    to: new Date(Date.UTC(y, m + 1, 1)),
  };
}

function startOfMonth(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/** The first month a record can still land in: partitions from it on are kept and ensured. */
export function firstRecordableMonth(now: Date): Date {
  return startOfMonth(new Date(now.getTime() - RECORDS_REACH_BACK_MS));
}

/** The months that must exist now: from the oldest a record can reach to MONTHS_AHEAD ahead. */
export function ensuredMonths(now: Date): MonthPartition[] {
  const months: MonthPartition[] = [];
  const last = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + MONTHS_AHEAD, 1);
  for (let p = monthPartition(firstRecordableMonth(now)); p.from.getTime() <= last; p = monthPartition(p.to)) months.push(p);
  return months;
}

/** The month partitions of events that exist, oldest first (not the default one). */
export async function listEventPartitions(db: Queryable): Promise<MonthPartition[]> {
  const rows = resultRows<{ name: string }>(
    await db.execute(sql`select c.relname as name from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'events'::regclass and c.relname ~ '^events_[0-9]{4}_[0-9]{2}$'
      order by c.relname`),
  );
  return rows.map((r) => {
    const [, y, m] = r.name.split("_");
    return monthPartition(new Date(Date.UTC(Number(y), Number(m) - 1, 1)));
  });
}

/**
 * Create the partitions of the months a record can land in now and of the next two, when missing.
 * Idempotent; run at start (after the migrations) and daily. Rows of such a month that went to
 * the default partition meanwhile are moved into the new one: Postgres refuses to create a
 * partition whose rows sit in the default.
 */
export async function ensureEventPartitions(db: Db, now = new Date()) {
  const created: string[] = [];
  let moved = 0;
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${PARTITIONS_LOCK})`);
    const existing = new Set((await listEventPartitions(tx)).map((p) => p.name));
    for (const month of ensuredMonths(now)) {
      if (existing.has(month.name)) continue;
      moved += await createPartition(tx, month);
      created.push(month.name);
    }
  });
  if (created.length) log.info("event partitions created", { created, movedFromDefault: moved });
  return { created, movedFromDefault: moved };
}

/** The partition bound clause; ISO instants in UTC, the same bounds migration 0012 writes. */
function bounds(p: MonthPartition) {
  return sql.raw(`from ('${p.from.toISOString()}') to ('${p.to.toISOString()}')`);
}

/** Create one month's partition; returns how many rows it took over from the default partition. */
async function createPartition(tx: Queryable, p: MonthPartition): Promise<number> {
  const inRange = sql`occurred_at >= ${p.from.toISOString()}::timestamptz and occurred_at < ${p.to.toISOString()}::timestamptz`;
  const stray = resultRows<{ n: number }>(
    await tx.execute(sql`select count(*)::int as n from ${sql.identifier(DEFAULT_PARTITION)} where ${inRange}`),
  );
  const n = Number(stray[0]?.n ?? 0);
  const table = sql.identifier(p.name);
  if (n === 0) {
    await tx.execute(sql`create table if not exists ${table} partition of events for values ${bounds(p)}`);
    return 0;
  }
  // A plain table first, filled from the default, then attached: the default no longer holds the month.
  await tx.execute(sql`create table ${table} (like events including defaults)`);
  await tx.execute(sql`with gone as (delete from ${sql.identifier(DEFAULT_PARTITION)} where ${inRange} returning *)
    insert into ${table} select * from gone`);
  await tx.execute(sql`alter table events attach partition ${table} for values ${bounds(p)}`);
  return n;
}
