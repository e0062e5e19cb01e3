import type { Db } from "@/db/client";
import { reportUsageToStripe } from "@/server/services/billing/meter-reporting";
import { billingEnabled, getStripe } from "@/server/services/billing/stripe-client";
import { runHousekeeping } from "@/server/services/maintenance/housekeeping";
import { ensureEventPartitions } from "@/server/services/maintenance/partitions";
import { runRetention } from "@/server/services/maintenance/retention";
import { refreshAllSegmentMembers } from "@/server/services/segments/refresh-members";
import { publishExpiredBlocks } from "@/server/services/blocklist/expire-blocks";

export interface Cron {
  /** The Inngest function id; its one step is `stepId`. Keep both stable. */
  id: string;
  stepId: string;
  /** The Inngest schedule. */
  schedule: string;
  /** In-process (no Inngest): every `everyMs`, and once `firstAfterMs` after start when set. */
  everyMs: number;
  firstAfterMs?: number;
  /** In-process: start the timer only when this holds at start. */
  inProcessIf?: () => boolean;
  run(db: Db): Promise<unknown>;
}

/**
 * Scheduled jobs, the one list both the in-process worker (server/events/worker.ts) and the
 * Inngest crons (inngest/functions) derive from. In-process runs more often where a job is
 * cheap and nothing else would run it sooner.
 */
export const CRONS: readonly Cron[] = [
  // Expired reservations, stale reservation counters, old delivered outbox rows.
  { id: "housekeeping", stepId: "housekeeping", schedule: "*/5 * * * *", everyMs: 60_000, run: (db) => runHousekeeping(db) },
  // Members of the segments rules and label policies target: "active within 7 days", "labelled
  // within a day" and spend windows move with time; the check reads the members from memory.
  {
    id: "segment-members",
    stepId: "refresh-members",
    schedule: "* * * * *",
    everyMs: 60_000,
    run: (db) => refreshAllSegmentMembers(db),
  },
  // Blocklist entries whose expiry passed: one end_user.unblocked (reason "expired") each, once.
  {
    id: "blocklist-expiry",
    stepId: "publish-expired",
    schedule: "* * * * *",
    everyMs: 60_000,
    run: (db) => publishExpiredBlocks(db),
  },
  // Events and payload logs past each workspace's plan retention (whole months of events dropped
  // once past every workspace's retention). Rollups stay.
  {
    id: "retention-cleanup",
    stepId: "delete-expired",
    schedule: "TZ=UTC 0 3 * * *",
    everyMs: 24 * 3600_000,
    firstAfterMs: 30_000,
    run: (db) => runRetention(db),
  },
  // Monthly partitions of events, created ahead (start-up creates them too: this covers a long uptime).
  {
    id: "event-partitions",
    stepId: "ensure-partitions",
    schedule: "TZ=UTC 0 1 * * *",
    everyMs: 24 * 3600_000,
    run: (db) => ensureEventPartitions(db),
  },
  // Tracked requests of completed hours → the Stripe meter, with deterministic identifiers.
  {
    id: "report-usage",
    stepId: "report-to-stripe",
    schedule: "TZ=UTC 5 * * * *",
    everyMs: 15 * 60_000,
    inProcessIf: billingEnabled,
    run: async (db) => (billingEnabled() ? reportUsageToStripe(db, getStripe()) : { reported: 0, requests: 0, billing: "off" }),
  },
];
