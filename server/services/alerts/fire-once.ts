import { sql } from "drizzle-orm";
import { resultRows, type Queryable } from "@/db/client";
import type { RuleWindow } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { isRolling, windowStart } from "../guardrails/windows";

export interface Crossing {
  /** The outbox event: tokenist/limit.crossed (alert channels), tokenist/quota.crossed (owners' e-mail). */
  event?: "tokenist/limit.crossed" | "tokenist/quota.crossed";
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
 * Emit `tokenist/limit.crossed` once per (source, subject, threshold, period), across
 * processes: the firing row and the outbox entry are one statement.
 */
export async function fireOnce(db: Queryable, c: Crossing): Promise<boolean> {
  const subject = `${c.subject.dimension}:${c.subject.key}`;
  const period = c.period ?? firingPeriod(c.window, c.at);
  const { event = "tokenist/limit.crossed", ...crossing } = c;
  const payload = JSON.stringify({ ...crossing, at: c.at.toISOString(), subject: c.subject, period });
  const rows = resultRows<{ id: string }>(
    await db.execute(sql`with fired as (
        insert into alert_firings (id, workspace_id, source_id, subject, threshold, period, fired_at)
        values (${newId("fir")}, ${c.workspaceId}, ${c.sourceId}, ${subject}, ${c.threshold}, ${period}, ${c.at.toISOString()}::timestamptz)
        on conflict do nothing returning id)
      , queued as (insert into outbox (workspace_id, name, payload)
        select ${c.workspaceId}, ${event}, ${payload}::jsonb from fired)
      select id from fired`),
  );
  return rows.length > 0;
}
