import type { Db } from "@/db/client";
import { log } from "@/server/lib/log";
import { startTrackedRequestFlusher } from "@/server/services/billing/tracked-requests";
import { CRONS } from "./crons";
import { claimOutbox, CONCURRENCY, processEntry, runHandlers, type Deliver } from "./outbox";

const POLL_MS = 250;

/**
 * A poll that keeps up to CONCURRENCY outbox entries in flight: it claims only as many entries
 * as there are free slots, and each entry frees its slot when done. A slow entry (bounded by
 * the handler timeout) holds one slot; polling and the other slots go on.
 */
export function outboxPoller(db: Db, deliver: Deliver) {
  let active = 0;
  return async () => {
    const free = CONCURRENCY - active;
    if (free <= 0) return;
    active += free; // reserved now, so an overlapping poll cannot claim the same slots
    let claimed = 0;
    try {
      const rows = await claimOutbox(db, free);
      claimed = rows.length;
      for (const row of rows) void processEntry(db, deliver, row).finally(() => active--);
    } catch (err) {
      log.warn("background outbox failed", { err });
    } finally {
      active -= free - claimed;
    }
  };
}

declare global {
  var __tokenistWorker: { stop: () => void } | undefined;
}

/**
 * The background worker of one app process: delivers the outbox and, in-process only, runs the
 * cron jobs (CRONS) that Inngest runs otherwise. `forward` (boot passes Inngest's send when
 * Inngest is configured) hands each entry on instead of running its reactions here. Entries
 * left by a crash are picked up at start.
 */
export function startBackgroundWorker(db: Db, forward?: Deliver) {
  if (globalThis.__tokenistWorker) return globalThis.__tokenistWorker;
  const guard = (name: string, job: () => Promise<unknown>) => async () => {
    try {
      await job();
    } catch (err) {
      log.warn(`background ${name} failed`, { err });
    }
  };
  const pollOutbox = outboxPoller(db, forward ?? runHandlers);
  const poll = setInterval(() => void pollOutbox(), POLL_MS);
  const timers: NodeJS.Timeout[] = [poll];
  if (!forward) {
    for (const cron of CRONS) {
      if (cron.inProcessIf && !cron.inProcessIf()) continue;
      const job = guard(cron.id, () => cron.run(db));
      if (cron.firstAfterMs !== undefined) timers.push(setTimeout(job, cron.firstAfterMs));
      timers.push(setInterval(job, cron.everyMs));
    }
  }
  for (const t of timers) t.unref();
  startTrackedRequestFlusher(db);
  log.info("background worker started", { delivery: forward ? "forwarded" : "in-process" });
  globalThis.__tokenistWorker = { stop: () => timers.forEach((t) => clearInterval(t)) };
  return globalThis.__tokenistWorker;
}
