import { sql } from "drizzle-orm";
import { resultRows, type Db } from "@/db/client";
import { log } from "@/server/lib/log";
import { HANDLERS, type OutboxEntry } from "./handlers";

/** How long a claimed entry is reserved for its claimer; after that (a crash) anyone retries it. */
const LEASE_SECONDS = 30;
const MAX_BACKOFF_SECONDS = 3600;
const CONCURRENCY = 8;

export type Deliver = (db: Db, entry: OutboxEntry) => Promise<void>;

/** In-process delivery: every handler of the event, in turn. */
export const runHandlers: Deliver = async (db, entry) => {
  const handlers = HANDLERS[entry.name] ?? {};
  const failures: string[] = [];
  for (const [id, handler] of Object.entries(handlers)) {
    try {
      await handler(db, entry);
    } catch (err) {
      failures.push(`${id}: ${(err as Error).message}`);
    }
  }
  if (failures.length) throw new Error(failures.join("; "));
};

/**
 * Claim up to `limit` due entries (skip locked, leased so no other process takes them),
 * deliver each, and mark it delivered, or schedule a retry with exponential backoff.
 * Returns how many were delivered. Safe to run in every process at once.
 */
export async function processOutbox(db: Db, deliver: Deliver, limit = 50): Promise<{ delivered: number; failed: number }> {
  const claimed = resultRows<{ id: string | number; workspace_id: string; name: string; payload: Record<string, unknown>; attempts: number }>(
    await db.execute(sql`update outbox set attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => ${LEASE_SECONDS})
      where id in (select id from outbox where delivered_at is null and next_attempt_at <= now()
                   order by id limit ${limit} for update skip locked)
      returning id, workspace_id, name, payload, attempts`),
  );
  let delivered = 0;
  let failed = 0;
  const queue = claimed.sort((a, b) => Number(a.id) - Number(b.id));
  const work = async () => {
    for (let row = queue.shift(); row; row = queue.shift()) {
      const entry: OutboxEntry = { id: Number(row.id), workspaceId: row.workspace_id, name: row.name, payload: row.payload };
      try {
        await deliver(db, entry);
        await db.execute(sql`update outbox set delivered_at = now(), last_error = null where id = ${entry.id}`);
        delivered++;
      } catch (err) {
        failed++;
        const backoff = Math.min(MAX_BACKOFF_SECONDS, 2 ** Math.min(row.attempts, 12));
        log.warn("outbox delivery failed; will retry", { id: entry.id, name: entry.name, attempts: row.attempts, retryInSeconds: backoff, err });
        await db.execute(sql`update outbox set last_error = ${(err as Error).message.slice(0, 1000)},
          next_attempt_at = now() + make_interval(secs => ${backoff}) where id = ${entry.id}`);
      }
    }
  };
  // A few at a time: one slow delivery (an LLM labelling call, a slow webhook) does not hold
  // up the rest. Handlers are idempotent and independent of each other's order.
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, work));
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
