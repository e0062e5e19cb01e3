import { sql } from "drizzle-orm";
import { resultRows, type Db } from "@/db/client";
import { log } from "@/server/lib/log";
import { EVENT_NAMES } from "./catalogue";
import { REACTION_LIST, REACTIONS, type BoundReaction, type Steps } from "./reactions";

/** One outbox entry as a deliverer sees it. */
export interface OutboxEntry {
  id: number;
  workspaceId: string;
  name: string;
  payload: Record<string, unknown>;
}

/**
 * Time limits of the in-process outbox. Tests shorten them.
 * - `handlerTimeoutMs`: a handler that has not finished by then counts as failed (the entry is
 *   retried with backoff) and its worker slot moves on. It covers the slowest honest handler:
 *   LLM labelling with retries (~25 s), a crossing sent to several channels (one 10 s delivery
 *   deadline per round).
 * - `leaseSeconds`: how long a claimed entry is reserved for its claimer. Longer than one
 *   delivery deadline, and renewed every third of its length while the entry is worked on, so a live
 *   claimer never loses its entry to another process; after a crash anyone retries it then.
 */
export const OUTBOX_LIMITS = { handlerTimeoutMs: 60_000, leaseSeconds: 30 };
const MAX_BACKOFF_SECONDS = 3600;
export const CONCURRENCY = 8;

/** The longest one entry may take: every handler of its event at its timeout, one after another. */
export function entryTimeoutMs(): number {
  const mostHandlers = Math.max(1, ...EVENT_NAMES.map((name) => REACTIONS[name].length));
  return mostHandlers * OUTBOX_LIMITS.handlerTimeoutMs + 5_000;
}

export type Deliver = (db: Db, entry: OutboxEntry) => Promise<void>;

/** `work`, or a rejection once `ms` have passed. The work is not cancelled, only no longer awaited. */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export type InProcessReaction = Pick<BoundReaction, "id" | "run"> & { on: string };

/** In-process, a step is just the next call. */
const inline: Steps = { run: (_id, work) => work() };

/**
 * In-process delivery of `reactions` (tests pass their own): every reaction to the entry's
 * event, in turn, each within the handler timeout, with the payload Inngest would get.
 */
export function deliverInProcess(reactions: readonly InProcessReaction[]): Deliver {
  return async (db, entry) => {
    const data = { ...entry.payload, workspaceId: entry.workspaceId, outboxId: entry.id };
    const failures: string[] = [];
    for (const { id, run } of reactions.filter((r) => r.on === entry.name)) {
      try {
        await withTimeout(run({ data, db: async () => db, step: inline }), OUTBOX_LIMITS.handlerTimeoutMs, `handler ${id}`);
      } catch (err) {
        failures.push(`${id}: ${(err as Error).message}`);
      }
    }
    if (failures.length) throw new Error(failures.join("; "));
  };
}

/** The in-process delivery of every reaction (server/events/reactions.ts). */
export const runHandlers: Deliver = deliverInProcess(REACTION_LIST);

type ClaimedRow = { id: string | number; workspace_id: string; name: string; payload: Record<string, unknown>; attempts: number };

/** Claim up to `limit` due entries (skip locked, leased so no other process takes them). */
export async function claimOutbox(db: Db, limit: number): Promise<ClaimedRow[]> {
  const rows = resultRows<ClaimedRow>(
    await db.execute(sql`update outbox set attempts = attempts + 1,
        next_attempt_at = now() + make_interval(secs => ${OUTBOX_LIMITS.leaseSeconds})
      where id in (select id from outbox where delivered_at is null and next_attempt_at <= now()
                   order by id limit ${limit} for update skip locked)
      returning id, workspace_id, name, payload, attempts`),
  );
  return rows.sort((a, b) => Number(a.id) - Number(b.id));
}

/** Keep renewing the lease of an entry being worked on; the returned function stops (and settles) it. */
function holdLease(db: Db, id: number) {
  const secs = OUTBOX_LIMITS.leaseSeconds;
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(
    () => {
      renewing = db
        .execute(sql`update outbox set next_attempt_at = now() + make_interval(secs => ${secs}) where id = ${id} and delivered_at is null`)
        .catch((err: unknown) => log.warn("could not renew an outbox lease", { id, err }));
    },
    (secs * 1000) / 3,
  );
  return async () => {
    clearInterval(timer);
    await renewing; // a late renewal must not overwrite the retry time set next
  };
}

/**
 * Deliver one claimed entry and mark it delivered, or schedule a retry with exponential backoff.
 * Never throws. The whole entry is bounded too, whatever `deliver` is (Inngest's send has no
 * timeout of its own here).
 */
export async function processEntry(db: Db, deliver: Deliver, row: ClaimedRow): Promise<boolean> {
  const entry: OutboxEntry = { id: Number(row.id), workspaceId: row.workspace_id, name: row.name, payload: row.payload };
  const release = holdLease(db, entry.id);
  try {
    await withTimeout(deliver(db, entry), entryTimeoutMs(), `outbox entry ${entry.id}`);
    await release();
    await db.execute(sql`update outbox set delivered_at = now(), last_error = null where id = ${entry.id}`);
    return true;
  } catch (err) {
    await release();
    const backoff = Math.min(MAX_BACKOFF_SECONDS, 2 ** Math.min(row.attempts, 12));
    const retry = { attempts: row.attempts, retryInSeconds: backoff };
    log.warn("outbox delivery failed; will retry", { id: entry.id, name: entry.name, ...retry, err });
    await db
      .execute(sql`update outbox set last_error = ${(err as Error).message.slice(0, 1000)},
        next_attempt_at = now() + make_interval(secs => ${backoff}) where id = ${entry.id}`)
      .catch((e: unknown) => log.warn("could not schedule an outbox retry", { id: entry.id, err: e }));
    return false;
  }
}

/**
 * Deliver up to `limit` due entries, CONCURRENCY at a time. Each slot claims its next entry only
 * when it is free, so no claimed entry waits in a queue while its lease runs out, and a slow
 * entry holds one slot, not the others. Safe to run in every process at once.
 */
export async function processOutbox(db: Db, deliver: Deliver, limit = 50): Promise<{ delivered: number; failed: number }> {
  let budget = limit;
  let delivered = 0;
  let failed = 0;
  const slot = async () => {
    while (budget-- > 0) {
      const [row] = await claimOutbox(db, 1);
      if (!row) return;
      if (await processEntry(db, deliver, row)) delivered++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, limit) }, slot));
  return { delivered, failed };
}

/** Drain everything due now (tests, and the worker's catch-up after a restart). */
export async function drainOutbox(db: Db, deliver: Deliver = runHandlers) {
  let total = { delivered: 0, failed: 0 };
  for (;;) {
    const r = await processOutbox(db, deliver);
    total = { delivered: total.delivered + r.delivered, failed: total.failed + r.failed };
    if (r.delivered + r.failed === 0 || r.delivered === 0) return total;
  }
}
