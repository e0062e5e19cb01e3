import { sql } from "drizzle-orm";
import { resultRows, type Queryable } from "@/db/client";
import { policyFirings, type PolicyAction } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { EVENTS } from "@/server/events/catalogue";
import { publish } from "@/server/events/publish";
import { writeAudit } from "../audit/write-audit";
import { SYSTEM } from "../context";
import { insertBlock } from "../blocklist/manage-blocklist";
import type { LabelPolicyRow } from "../core/workspace-state";
import { formatSeconds } from "../core/time";

export interface TFiring {
  firingId: string;
  policyId: string;
  action: PolicyAction;
  label: string;
  count: number;
  expiresAt: string;
}

export { formatSeconds };

/** The policies that act on this end user: those without a segment, and those of a segment they are in. */
export function policiesFor<P extends { filters: { segment?: string } | null }>(
  policies: P[],
  segmentMembers: Map<string, Set<string>>,
  userId: string,
): P[] {
  return policies.filter((p) => !p.filters?.segment || (segmentMembers.get(p.filters.segment)?.has(userId) ?? false));
}

/**
 * The policies that may act for a workspace on its plan now: a label-policy block in enforce mode
 * is a Growth automation ("auto-block on intent label"), so below Growth (a downgrade after it was
 * enabled) it is left out where it would act; shadow ones and other actions stay.
 */
export function actingPolicies<P extends { action: string; mode: string }>(policies: P[], automations: boolean): P[] {
  return automations ? policies : policies.filter((p) => p.action !== "block" || p.mode === "shadow");
}

/** Serialise label writes and policy counts of one end user (labeller and check-stage policies alike). */
export async function lockEndUserLabels(tx: Queryable, workspaceId: string, userId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`labels\u001f${workspaceId}\u001f${userId}`}, 0))`);
}

export interface TPolicyEvaluation {
  /** Policies that fired now (none was active for the user). */
  fired: TFiring[];
  /** Every policy whose count reached `minCount`, fired now or already active, with the count. */
  reached: Array<{ policy: LabelPolicyRow; count: number }>;
}

/**
 * Right after an end user's new labels are written (same transaction, under the user's lock):
 * each enabled policy on one of those labels counts the user's labels of its stage (recorded
 * calls, or checks' own input) in the window before `now`; at `minCount` or more, and with no
 * firing of the policy still active for the user, it fires once: a blocklist entry with expiry
 * (source automation), a throttle or re-auth that /sdk/check enforces, or an alert through the
 * alert channels.
 */
export async function evaluateLabelPolicies(
  tx: Queryable,
  input: { workspaceId: string; userId: string; eventId: string; labels: string[]; policies: LabelPolicyRow[]; now: Date },
): Promise<TPolicyEvaluation> {
  const { workspaceId, userId, now } = input;
  const fired: TFiring[] = [];
  const reached: TPolicyEvaluation["reached"] = [];
  for (const p of input.policies) {
    if (!p.enabled || !input.labels.includes(p.label)) continue;
    // A shadow policy counts and records its would-have firing, and does nothing else.
    const since = new Date(now.getTime() - p.windowSeconds * 1000).toISOString();
    const [counted] = resultRows<{ n: number; active: boolean }>(
      await tx.execute(sql`select
          (select count(*)::int from end_user_labels where workspace_id = ${workspaceId} and user_id = ${userId}
             and label = ${p.label} and stage = ${p.stage} and occurred_at > ${since}::timestamptz) as n,
          ${activeFiring(p, workspaceId, userId, now)} as active`),
    );
    const count = Number(counted?.n ?? 0);
    if (count < p.minCount) continue;
    if (p.mode !== "shadow") reached.push({ policy: p, count });
    if (counted?.active) continue;
    const firing = await firePolicy(tx, p, { workspaceId, userId, eventId: input.eventId, count, now });
    if (firing) fired.push(firing);
  }
  return { fired, reached };
}

/** Is a firing of `p` for this end user still active (of its mode: a shadow policy's own would-have ones)? */
export async function firingActive(tx: Queryable, p: LabelPolicyRow, workspaceId: string, userId: string, now: Date): Promise<boolean> {
  const [row] = resultRows<{ active: boolean }>(await tx.execute(sql`select ${activeFiring(p, workspaceId, userId, now)} as active`));
  return Boolean(row?.active);
}

/** `exists` a firing of `p` for this end user still in force at `now`, of the policy's own mode. */
function activeFiring(p: LabelPolicyRow, workspaceId: string, userId: string, now: Date) {
  return sql`exists (select 1 from policy_firings where workspace_id = ${workspaceId} and policy_id = ${p.id}
    and user_id = ${userId} and expires_at > ${now.toISOString()}::timestamptz and shadow = ${p.mode === "shadow"})`;
}

/**
 * Fire `p` for an end user (its count reached, no firing of it active): the firing row, and
 * unless the policy is in shadow mode (then the row is its would-have firing and nothing else
 * happens) what it does — a blocklist entry with expiry (source automation) for a block of the
 * record or check stage, a throttle or re-auth that /sdk/check enforces, an alert — with one
 * policy.fired event and an audit row. A content-stage block refuses calls, not the end user: no
 * blocklist entry. Null for a shadow firing.
 */
export async function firePolicy(
  tx: Queryable,
  p: LabelPolicyRow,
  input: { workspaceId: string; userId: string; eventId: string; count: number; now: Date },
): Promise<TFiring | null> {
  const { workspaceId, userId, count, now } = input;
  const lasts = p.action === "alert" || p.stage === "content" ? p.windowSeconds : (p.durationSeconds ?? p.windowSeconds);
  const expiresAt = new Date(now.getTime() + lasts * 1000);
  const firingId = newId("pfi", now.getTime());
  const firing = {
    id: firingId,
    workspaceId,
    policyId: p.id,
    userId,
    action: p.action,
    label: p.label,
    labelCount: count,
    ratePerMinute: p.action === "throttle" ? p.ratePerMinute : null,
    eventId: input.eventId,
    createdAt: now,
    expiresAt,
  };
  if (p.mode === "shadow") {
    await tx.insert(policyFirings).values({ ...firing, shadow: true });
    return null;
  }
  const why =
    p.stage === "content"
      ? `Label policy "${p.name}": ${p.label} in a tool result or retrieved content of this call`
      : `Label policy "${p.name}": ${count} × ${p.label} within ${formatSeconds(p.windowSeconds)}`;
  let blocklistId: string | null = null;
  if (p.action === "block" && p.stage !== "content") {
    const block = await insertBlock(tx, workspaceId, SYSTEM, {
      subjectType: "user",
      subjectId: userId,
      reason: why,
      expiresAt,
      source: "automation",
    });
    blocklistId = block.id;
  }
  await tx.insert(policyFirings).values({ ...firing, blocklistId });
  // One event per firing, whatever the action: webhooks get policy.fired; for an `alert` policy its
  // reaction also tells the e-mail and Slack channels (server/services/alerts/deliver-event.ts).
  await publish(tx, EVENTS.policyFired, workspaceId, {
    policyId: p.id,
    policyName: p.name,
    firingId,
    userId,
    action: p.action,
    label: p.label,
    count,
    minCount: p.minCount,
    windowSeconds: p.windowSeconds,
    stage: p.stage,
    eventId: p.stage === "record" ? input.eventId : null,
    checkId: p.stage === "record" ? null : input.eventId,
    blocklistId,
    expiresAt: expiresAt.toISOString(),
    at: now.toISOString(),
  });
  await writeAudit(tx, {
    workspaceId,
    actor: SYSTEM,
    action: "label_policy.fire",
    targetType: "end_user",
    targetId: userId,
    data: {
      policyId: p.id,
      firingId,
      action: p.action,
      label: p.label,
      count,
      eventId: input.eventId,
      expiresAt: expiresAt.toISOString(),
    },
  });
  return { firingId, policyId: p.id, action: p.action, label: p.label, count, expiresAt: expiresAt.toISOString() };
}
