import { sql } from "drizzle-orm";
import { resultRows, type Db } from "@/db/client";
import { IDEMPOTENCY_TTL_HOURS } from "@/db/schema";
import { RESERVATION_TTL_MS } from "../guardrails/reserve";
import { compactRollups } from "./compact-rollups";

/**
 * Frequent housekeeping: drop expired reservations and reservation counters no window reads
 * any more, delivered outbox entries older than a week, labeller text past its expiry and
 * Idempotency-Key answers past their 24 h, rate-limit counters whose window has ended;
 * fold minute rollups older than 48 h into hours. Nothing here changes a total.
 */
export async function runHousekeeping(db: Db, now = new Date()) {
  const cutoff = new Date(now.getTime() - RESERVATION_TTL_MS - 120_000).toISOString();
  const count = async (q: ReturnType<typeof sql>) => Number(resultRows<{ n: number }>(await db.execute(q))[0]?.n ?? 0);
  const reservations = await count(
    sql`with gone as (delete from reservations where expires_at < ${now.toISOString()}::timestamptz returning 1) select count(*)::int as n from gone`,
  );
  const counters = await count(
    sql`with gone as (delete from reservation_counters where bucket < ${cutoff}::timestamptz returning 1) select count(*)::int as n from gone`,
  );
  const outbox = await count(
    sql`with gone as (delete from outbox where delivered_at < ${new Date(now.getTime() - 7 * 86_400_000).toISOString()}::timestamptz returning 1) select count(*)::int as n from gone`,
  );
  // Text kept for the intent labeller (conversation context, or never labelled) past its 24 h.
  const texts = await count(
    sql`with gone as (delete from event_texts where expires_at < ${now.toISOString()}::timestamptz returning 1) select count(*)::int as n from gone`,
  );
  // Idempotency-Key answers are replayed for 24 h only; past that they are dead weight.
  const idempotency = await count(
    sql`with gone as (delete from idempotency_keys where created_at < ${new Date(now.getTime() - IDEMPOTENCY_TTL_HOURS * 3600_000).toISOString()}::timestamptz returning 1) select count(*)::int as n from gone`,
  );
  // Rate-limit windows that have ended (a key still in use has its row reset in place).
  const rateLimits = await count(
    sql`with gone as (delete from rate_limits where expire < ${now.toISOString()}::timestamptz returning 1) select count(*)::int as n from gone`,
  );
  const { minuteRowsFolded } = await compactRollups(db, now);
  return { rollupMinutesFolded: minuteRowsFolded, reservations, counters, outbox, texts, idempotency, rateLimits };
}
