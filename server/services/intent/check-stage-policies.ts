import type { Db } from "@/db/client";
import { endUserLabels } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { EVENTS } from "@/server/events/catalogue";
import { publish } from "@/server/events/publish";
import { bumpLabelVersion, configTransaction } from "../core/change-config";
import type { LabelPolicyRow } from "../core/workspace-state";
import { evaluateLabelPolicies, formatSeconds, lockEndUserLabels } from "./evaluate-policies";

export interface TCheckStageOutcome {
  /** A block policy reached by this check's own label: the call is denied with reason "label". */
  deny: { policy: LabelPolicyRow; count: number } | null;
  /** Soft outcomes for this very call (require_reauth). */
  actions: string[];
}

/** What a check that no check-stage policy watches gets: nothing denied, no action. */
export const NO_CHECK_STAGE_OUTCOME: TCheckStageOutcome = { deny: null, actions: [] };

/** The enabled check-stage policies that watch one of `labels` (none: the check writes nothing here). */
export function checkStageWatching(policies: LabelPolicyRow[], labels: string[]): LabelPolicyRow[] {
  return policies.filter((p) => p.enabled && p.stage === "check" && labels.includes(p.label));
}

/**
 * Check-stage label policies: the built-in classifier's label of the check's own input counts at
 * once. Called only with the policies that watch one of this input's labels (`checkStageWatching`,
 * none on the usual check: it stays free of writes and awaits): the label is written as a `check`
 * row keyed by the checkId, and a firing. `minCount: 1` with `block` denies this very call; `alert` is the monitor
 * mode (the call goes through, the channels are told); throttle and re-auth apply from now on.
 */
export async function applyCheckStagePolicies(
  db: Db,
  input: { workspaceId: string; userId: string; checkId: string; watched: LabelPolicyRow[]; now: Date },
): Promise<TCheckStageOutcome> {
  const { workspaceId, userId, checkId, watched, now } = input;
  if (watched.length === 0) return NO_CHECK_STAGE_OUTCOME;
  const labels = [...new Set(watched.map((p) => p.label))];
  // After the commit a block forgets this process's state, a firing makes it re-check.
  const { reached } = await configTransaction(db, async (tx) => {
    // The same per-user lock as the labeller: concurrent checks of one user count each other.
    await lockEndUserLabels(tx, workspaceId, userId);
    const inserted = await tx
      .insert(endUserLabels)
      .values(
        labels.map((label) => ({
          id: newId("lab", now.getTime()),
          workspaceId,
          userId,
          label,
          eventId: checkId,
          conversationId: null,
          confidence: 1,
          reason: "Built-in classifier, on the input of /sdk/check",
          source: "builtin" as const,
          model: null,
          stage: "check" as const,
          occurredAt: now,
        })),
      )
      .onConflictDoNothing()
      .returning({ label: endUserLabels.label });
    if (inserted.length) {
      await publish(tx, EVENTS.endUserLabelled, workspaceId, {
        userId,
        labels: [...new Set(inserted.map((r) => r.label))],
        eventId: null,
        checkId,
        source: "builtin",
        stage: "check",
        at: now.toISOString(),
      });
    }
    const evaluation = await evaluateLabelPolicies(tx, { workspaceId, userId, eventId: checkId, labels, policies: watched, now });
    if (evaluation.fired.length) await bumpLabelVersion(tx, workspaceId);
    return evaluation;
  });
  const block = reached.find((r) => r.policy.action === "block");
  return {
    deny: block ?? null,
    actions: reached.some((r) => r.policy.action === "require_reauth") ? ["require_reauth"] : [],
  };
}

/** The denial's words: which policy, which label, how often. */
export function labelDenialMessage(userId: string, deny: NonNullable<TCheckStageOutcome["deny"]>): string {
  const { policy, count } = deny;
  const what = count <= 1 ? `${policy.label} in this request` : `${count} × ${policy.label} within ${formatSeconds(policy.windowSeconds)}`;
  return `Request of user ${userId} denied by label policy "${policy.name}": ${what}`;
}
