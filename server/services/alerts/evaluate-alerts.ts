import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { events, type Dimension } from "@/db/schema";
import { readUsage } from "../guardrails/read-usage";
import { formatNanos, nanosToUsd } from "../core/pricing";
import { getWorkspaceState, type AlertRow } from "../core/workspace-state";
import { emitCrossings, type Crossing } from "@/server/events/publish";

type EventSubject = { userId: string | null; orgId: string | null; feature: string | null; tier: string | null };

function alertSubject(alert: AlertRow, e: EventSubject): { dimension: Dimension; key: string } | null {
  const key = { user: e.userId, org: e.orgId, feature: e.feature, tier: e.tier, workspace: "" }[alert.scope];
  if (key === null || key === undefined) return null;
  if (alert.scope !== "workspace" && alert.match !== null && alert.match !== key) return null;
  return { dimension: alert.scope, key };
}

/**
 * After an event is recorded (in the background): for every threshold alert on one of its
 * subjects, read the window's usage and fire each threshold reached, once per window.
 */
export async function evaluateAlertsForEvent(db: Db, input: { workspaceId: string; eventId: string }, now = new Date()) {
  const state = await getWorkspaceState(db, input.workspaceId, now.getTime());
  if (state.alerts.length === 0) return { crossings: 0 };
  const [event] = await db
    .select({ userId: events.userId, orgId: events.orgId, feature: events.feature, tier: events.tier })
    .from(events)
    .where(and(eq(events.workspaceId, input.workspaceId), eq(events.id, input.eventId)));
  if (!event) return { crossings: 0 };
  const crossings: Crossing[] = [];
  for (const alert of state.alerts) {
    const subject = alertSubject(alert, event);
    if (!subject) continue;
    const rule = alert.ruleId ? state.rules.find((r) => r.id === alert.ruleId) : null;
    if (alert.ruleId && !rule) continue; // its rule is disabled or gone
    if (rule?.mode === "shadow") continue; // a shadow rule acts on nothing, its alerts included
    const { usage } = await readUsage(db, input.workspaceId, [{ ...subject, window: alert.window }], now);
    const u = usage[0]!;
    const used = alert.metric === "requests" ? u.requests : alert.metric === "tokens" ? u.tokens : u.costNanos;
    const show = (v: bigint) => (alert.metric === "cost_usd" ? nanosToUsd(v) : Number(v));
    for (const t of alert.thresholds) {
      // Percent thresholds compare used × 100 against limit × p: exact in integers.
      const reached = rule ? used * 100n >= rule.limitValue * BigInt(t) : used >= BigInt(t);
      if (!reached) continue;
      crossings.push({
        workspaceId: input.workspaceId,
        sourceType: "alert",
        sourceId: alert.id,
        alertId: alert.id,
        name: alert.name,
        subject,
        metric: alert.metric,
        window: alert.window,
        threshold: rule ? `${t}%` : alert.metric === "cost_usd" ? formatNanos(BigInt(t)) : t,
        used: show(used),
        limit: show(rule ? rule.limitValue : BigInt(t)),
        at: now,
      });
    }
  }
  await emitCrossings(db, crossings);
  return { crossings: crossings.length };
}
