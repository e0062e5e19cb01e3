import type { Db } from "@/db/client";
import { inngest, inngestConfigured } from "@/inngest/client";
import { log } from "@/server/lib/log";
import { runHousekeeping } from "../maintenance/housekeeping";
import { runRetention } from "../maintenance/retention";
import { claimOutbox, CONCURRENCY, processEntry, runHandlers, type Deliver } from "./outbox";
import { startTrackedRequestFlusher } from "../billing/tracked-requests";
import { reportUsageToStripe } from "../billing/meter-reporting";
import { billingEnabled, getStripe } from "../billing/stripe-client";

/** Forward an outbox entry to Inngest; the outbox id is the idempotency id. */
export const sendToInngest: Deliver = async (_db, entry) => {
  await inngest.send({
    id: `outbox-${entry.id}`,
    name: entry.name,
    data: { ...entry.payload, workspaceId: entry.workspaceId, outboxId: entry.id },
  });
};

const POLL_MS = 250;
const HOUSEKEEPING_MS = 60_000;
const RETENTION_MS = 24 * 3600_000;
const REPORT_MS = 15 * 60_000;

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
 * The background worker of one app process: delivers the outbox (to Inngest, or in-process
 * when Inngest is not configured) and, in-process only, runs the housekeeping and retention
 * jobs that Inngest crons run otherwise. Entries left by a crash are picked up at start.
 */
export function startBackgroundWorker(db: Db) {
  if (globalThis.__tokenistWorker) return globalThis.__tokenistWorker;
  const viaInngest = inngestConfigured();
  const deliver = viaInngest ? sendToInngest : runHandlers;
  const guard = (name: string, job: () => Promise<unknown>) => async () => {
    try {
      await job();
    } catch (err) {
      log.warn(`background ${name} failed`, { err });
    }
  };
  const pollOutbox = outboxPoller(db, deliver);
  const poll = setInterval(() => void pollOutbox(), POLL_MS);
  const timers: NodeJS.Timeout[] = [poll];
  if (!viaInngest) {
    timers.push(setInterval(guard("housekeeping", () => runHousekeeping(db)), HOUSEKEEPING_MS));
    timers.push(setTimeout(guard("retention", () => runRetention(db)), 30_000));
    timers.push(setInterval(guard("retention", () => runRetention(db)), RETENTION_MS));
    if (billingEnabled()) timers.push(setInterval(guard("meter reporting", () => reportUsageToStripe(db, getStripe())), REPORT_MS));
  }
  for (const t of timers) t.unref();
  startTrackedRequestFlusher(db);
  log.info("background worker started", { delivery: viaInngest ? "inngest" : "in-process" });
  globalThis.__tokenistWorker = { stop: () => timers.forEach((t) => clearInterval(t)) };
  return globalThis.__tokenistWorker;
}
