import { sql } from "drizzle-orm";
import { resultRows, type Db } from "@/db/client";
import { log } from "@/server/lib/log";
import { processGlobal } from "@/server/lib/process-global";
import { floorToHour, HOUR_MS, startOfMonth, startOfNextMonth } from "../core/time";
import { QuotaExceededError } from "../errors";
import { getWorkspaceState } from "../core/workspace-state";
import { EVENTS } from "@/server/events/catalogue";
import { fireOnce } from "@/server/events/publish";
import type { BillingState } from "../core/plans";
import { effectivePlan, freeCap, includedRequests, PLAN_TERMS } from "./plans";

/**
 * Tracked requests are LLM calls: a check counts once, and the record that settles it adds
 * nothing; a record that settles no check counts once; duplicates and retries never; /sdk/log
 * never (it describes a call already counted). They are counted in memory and flushed to
 * request_counters every second, so the check path stays free of writes; the month's total
 * is re-read at each flush. A crash can lose at most the last second's counts (never
 * billed, never charged twice). Each process counts its own traffic exactly; other
 * processes' last second is seen at the next flush.
 */
const pending = processGlobal("trackedPending", () => new Map<string, number>()); // `${workspaceId}|${hourIso}` → count
const monthTotals = processGlobal("trackedMonthTotals", () => new Map<string, { month: string; total: number }>());
const FLUSH_MS = 1_000;
const flusher = processGlobal("trackedFlusher", () => ({ timer: null as NodeJS.Timeout | null }));

const monthKey = (d: Date) => startOfMonth(d).toISOString();

/**
 * The period `now` falls in, with its bounds as ISO strings: made once per period instead of on
 * every check (each `new Date` in a Next.js server goes through its Date wrapper).
 */
function periodOf(floor: (d: Date) => Date, next: (start: Date) => Date) {
  let memo = { start: 0, end: 0, startIso: "", endIso: "" };
  return (now: Date) => {
    const t = now.getTime();
    if (t < memo.start || t >= memo.end) {
      const start = floor(now);
      const end = next(start);
      memo = { start: start.getTime(), end: end.getTime(), startIso: start.toISOString(), endIso: end.toISOString() };
    }
    return memo;
  };
}
/** The hour `now` falls in (a pending counter's key is its start). */
const hourOf = periodOf(floorToHour, (h) => new Date(h.getTime() + HOUR_MS));
/** The month `now` falls in (the quota resets at its end). */
const monthOf = periodOf(startOfMonth, startOfNextMonth);

export function trackRequest(workspaceId: string, now = new Date()) {
  const key = `${workspaceId}|${hourOf(now).startIso}`;
  pending.set(key, (pending.get(key) ?? 0) + 1);
}

function pendingInMonth(workspaceId: string, month: string): number {
  let n = 0;
  for (const [key, count] of pending) {
    const [ws, hour] = key.split("|");
    if (ws === workspaceId && monthKey(new Date(hour!)) === month) n += count;
  }
  return n;
}

async function readMonthTotal(db: Db, workspaceId: string, now: Date): Promise<number> {
  const rows = resultRows<{ n: string }>(
    await db.execute(sql`select coalesce(sum(count), 0)::text as n from request_counters
      where workspace_id = ${workspaceId} and hour >= ${startOfMonth(now).toISOString()}::timestamptz
        and hour < ${startOfNextMonth(now).toISOString()}::timestamptz`),
  );
  return Number(rows[0]?.n ?? 0);
}

/** Tracked requests this calendar month (UTC): flushed counts plus this process's pending ones. */
export async function monthlyRequests(db: Db, workspaceId: string, now = new Date()): Promise<number> {
  const month = monthKey(now);
  let cached = monthTotals.get(workspaceId);
  if (!cached || cached.month !== month) {
    cached = { month, total: await readMonthTotal(db, workspaceId, now) };
    monthTotals.set(workspaceId, cached);
  }
  return cached.total + pendingInMonth(workspaceId, month);
}

export interface QuotaState {
  /** Past the Free plan's monthly cap: checks go on deciding, records and logs are refused. */
  exceeded: boolean;
  resetsAt: string;
  plan: string;
  used: number;
  /** The cap; null on plans without one (they accrue overage). */
  limit: number | null;
}

/** Where the workspace stands against its plan's hard cap this month (cached: no query on most calls). */
export async function quotaState(db: Db, workspaceId: string, now = new Date()): Promise<QuotaState> {
  const state = await getWorkspaceState(db, workspaceId, now.getTime());
  const uncapped = uncappedQuota(state, now);
  if (uncapped) return uncapped;
  const plan = effectivePlan(state, now);
  const resetsAt = monthOf(now).endIso;
  const cap = freeCap();
  const used = await monthlyRequests(db, workspaceId, now);
  return { exceeded: used >= cap, resetsAt, plan, used, limit: cap };
}

/**
 * The quota of a plan without a hard cap (it accrues overage), known from the workspace's state
 * without a read or an await; null when the plan in force has a cap (ask `quotaState`).
 */
export function uncappedQuota(state: BillingState, now: Date): QuotaState | null {
  const plan = effectivePlan(state, now);
  if (PLAN_TERMS[plan].hardCap) return null;
  return { exceeded: false, resetsAt: monthOf(now).endIso, plan, used: 0, limit: null };
}

/**
 * The free plan's hard cap for /sdk/record and /sdk/log: 402 quota_exceeded once the month's
 * tracked requests reach it (a record that settles an admitted check is let through by its caller).
 * /sdk/check never stops here: it keeps deciding. Paid plans never stop; they accrue overage.
 */
export async function assertQuota(db: Db, workspaceId: string, now = new Date()) {
  const quota = await quotaState(db, workspaceId, now);
  if (quota.exceeded) throw quotaExceededError(quota);
}

export function quotaExceededError(quota: QuotaState): QuotaExceededError {
  const cap = quota.limit ?? 0;
  return new QuotaExceededError(
    `The Free plan's ${cap.toLocaleString("en-US")} tracked requests for this month are used up: checks go on enforcing ` +
      `your rules and blocklist, but usage is not recorded until ${quota.resetsAt.slice(0, 10)} (UTC). Upgrade on the Billing page.`,
    { plan: quota.plan, limit: cap, used: quota.used, resetsAt: quota.resetsAt },
  );
}

/** Write pending counts, refresh month totals, and fire the 80% / 100% quota notices. */
export async function flushTrackedRequests(db: Db, now = new Date()) {
  const batch = [...pending.entries()];
  pending.clear();
  const touched = new Set<string>();
  try {
    for (const [key, count] of batch) {
      const [workspaceId, hour] = key.split("|");
      await db.execute(sql`insert into request_counters (workspace_id, hour, count) values (${workspaceId}, ${hour}::timestamptz, ${count})
        on conflict (workspace_id, hour) do update set count = request_counters.count + excluded.count`);
      touched.add(workspaceId!);
    }
  } catch (err) {
    for (const [key, count] of batch) pending.set(key, (pending.get(key) ?? 0) + count); // keep them for the next flush
    throw err;
  }
  for (const workspaceId of touched) {
    const total = await readMonthTotal(db, workspaceId, now);
    monthTotals.set(workspaceId, { month: monthKey(now), total });
    await notifyQuota(db, workspaceId, total, now);
  }
}

async function notifyQuota(db: Db, workspaceId: string, total: number, now: Date) {
  const state = await getWorkspaceState(db, workspaceId, now.getTime());
  const plan = effectivePlan(state, now);
  const included = includedRequests(plan, state.includedRequests);
  if (!included) return;
  for (const pct of [80, 100]) {
    if (total * 100 < included * pct) continue;
    await fireOnce(db, {
      event: EVENTS.quotaCrossed,
      workspaceId,
      sourceType: "rule",
      sourceId: "quota",
      name: `${PLAN_TERMS[plan].name} plan requests`,
      subject: { dimension: "workspace", key: "" },
      metric: "requests",
      window: "calendar_month",
      threshold: `${pct}%`,
      used: total,
      limit: included,
      at: now,
    });
  }
}

/** Flush every second in this process (started with the background worker). */
export function startTrackedRequestFlusher(db: Db) {
  if (flusher.timer) return;
  flusher.timer = setInterval(() => {
    flushTrackedRequests(db).catch((err) => log.warn("could not flush tracked requests", { err }));
  }, FLUSH_MS);
  flusher.timer.unref();
  process.once("beforeExit", () => void flushTrackedRequests(db).catch(() => {}));
}

/** Tests: forget in-memory state. */
export function resetTrackedRequests() {
  pending.clear();
  monthTotals.clear();
}
