import { sql, type SQL } from "drizzle-orm";
import { resultRows, type Queryable } from "@/db/client";
import type { RuleWindow } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { log } from "@/server/lib/log";
import { processGlobal } from "@/server/lib/process-global";
import { isRolling, windowStart } from "@/server/services/core/windows";
import { EVENTS, type EventName, type OutboxPayload } from "./catalogue";

/**
 * Publishing a domain event is one outbox row, written in the statement that makes the change,
 * so the event exists exactly when the change committed. `from` names the statement's CTE that
 * returns a row only when the change happened (one outbox row per returned row).
 */
export function enqueueFrom<E extends EventName>(from: string, event: E, workspaceId: string, payload: OutboxPayload<E>): SQL {
  return sql`insert into outbox (workspace_id, name, payload)
    select ${workspaceId}, ${event}, ${JSON.stringify(payload)}::jsonb from ${sql.identifier(from)}`;
}

/**
 * Publish a domain event inside the caller's transaction: one outbox row, committed (or rolled
 * back) with the change it reports.
 */
export async function publish<E extends EventName>(tx: Queryable, event: E, workspaceId: string, payload: OutboxPayload<E>) {
  await tx.execute(
    sql`insert into outbox (workspace_id, name, payload) values (${workspaceId}, ${event}, ${JSON.stringify(payload)}::jsonb)`,
  );
}

export interface Crossing {
  /** The outbox event: limit.crossed (alert channels, the default), quota.crossed (owners' e-mail). */
  event?: typeof EVENTS.limitCrossed | typeof EVENTS.quotaCrossed;
  workspaceId: string;
  sourceType: "rule" | "alert" | "policy";
  sourceId: string;
  name: string;
  subject: { dimension: string; key: string };
  metric: string;
  window: RuleWindow;
  /** "80%" of a limit, or an absolute value in the metric's unit ("5000", USD for cost). */
  threshold: string;
  used: number;
  /** The limit the percentage is of, or the absolute threshold. */
  limit: number;
  alertId?: string | null;
  at: Date;
  /** The dedup period when the caller has its own (a label policy's firing); else from the window. */
  period?: string;
}

const ROLLING_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * The period a crossing belongs to: the calendar window's start, or for rolling windows a
 * slot of the window's length, so a threshold fires at most once per window length.
 */
export function firingPeriod(window: RuleWindow, at: Date): string {
  if (!isRolling(window)) return windowStart(window, at).toISOString();
  return `slot:${Math.floor(at.getTime() / ROLLING_MS[window]!)}`;
}

/**
 * Publish a crossing (limit.crossed unless `event` says otherwise) once per (source, subject,
 * threshold, period), across processes: the firing row and the outbox entry are one statement.
 */
export async function fireOnce(db: Queryable, c: Crossing): Promise<boolean> {
  const subject = `${c.subject.dimension}:${c.subject.key}`;
  const period = c.period ?? firingPeriod(c.window, c.at);
  const { event = EVENTS.limitCrossed, ...crossing } = c;
  const payload = { ...crossing, at: c.at.toISOString(), subject: c.subject, period };
  const rows = resultRows<{ id: string }>(
    await db.execute(sql`with fired as (
        insert into alert_firings (id, workspace_id, source_id, subject, threshold, period, fired_at)
        values (${newId("fir")}, ${c.workspaceId}, ${c.sourceId}, ${subject}, ${c.threshold}, ${period}, ${c.at.toISOString()}::timestamptz)
        on conflict do nothing returning id)
      , queued as (${enqueueFrom("fired", event, c.workspaceId, payload)})
      select id from fired`),
  );
  return rows.length > 0;
}

// Crossings this process already fired: skip the write on every later check in the period.
const fired = processGlobal("firedCrossings", () => new Set<string>());

/** Fire each crossing once per period; never fails the caller (an alert is not worth a failed check). */
export async function emitCrossings(db: Queryable, crossings: Crossing[]) {
  for (const c of crossings) {
    const key = `${c.workspaceId}|${c.sourceId}|${c.subject.dimension}:${c.subject.key}|${c.threshold}|${firingPeriod(c.window, c.at)}`;
    if (fired.has(key)) continue;
    try {
      await fireOnce(db, c);
      if (fired.size > 100_000) fired.clear();
      fired.add(key);
    } catch (err) {
      log.warn("could not record an alert crossing", { err, sourceId: c.sourceId });
    }
  }
}
