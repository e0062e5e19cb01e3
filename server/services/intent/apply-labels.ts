import { sql } from "drizzle-orm";
import { resultRows, type Db } from "@/db/client";
import { endUserLabels } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { EVENTS } from "@/server/events/catalogue";
import { publish } from "@/server/events/publish";
import { bumpLabelVersion, configTransaction } from "../core/change-config";
import { getWorkspaceState } from "../core/workspace-state";
import type { TLabelDecision } from "./decide-labels";
import { planAllows } from "../core/plans";
import { actingPolicies, evaluateLabelPolicies, lockEndUserLabels, policiesFor, type TFiring } from "./evaluate-policies";
import type { TLabelTarget } from "./label-task";

export interface TApplied {
  /** False when the event had been labelled already (a redelivery): nothing was written. */
  applied: boolean;
  labels: string[];
  source: TLabelDecision["source"];
  fired: TFiring[];
}

/**
 * Write a decision, once, in one transaction under the end user's lock: claim the event's text
 * (delete it, or mark it labelled when later turns of its conversation need it as context),
 * add the labels to the event and to the end user, evaluate the label policies, and bump the
 * label version so every process's /sdk/check sees the new labels and restrictions. A second
 * delivery finds the text claimed and changes nothing: no double count, no double block.
 */
export async function applyLabels(db: Db, target: TLabelTarget, decision: TLabelDecision, now = new Date()): Promise<TApplied> {
  const { workspaceId, eventId, userId } = target;
  const flagged = decision.labels.filter((l) => l.label !== "safe");
  const names = [...new Set(flagged.map((l) => l.label))];
  const state = await getWorkspaceState(db, workspaceId, now.getTime());
  // After the commit a block forgets this process's state, new labels make it re-check.
  const result = await configTransaction(db, async (tx) => {
    // Per-user lock: two events of one user labelled at once must see each other's labels when counting.
    if (userId) await lockEndUserLabels(tx, workspaceId, userId);
    const claimed = resultRows<{ event_id: string }>(
      await tx.execute(
        target.conversationId
          ? sql`update event_texts set labelled_at = ${now.toISOString()}::timestamptz
              where workspace_id = ${workspaceId} and event_id = ${eventId} and labelled_at is null returning event_id`
          : sql`delete from event_texts where workspace_id = ${workspaceId} and event_id = ${eventId} and labelled_at is null
              returning event_id`,
      ),
    );
    if (claimed.length === 0) return { applied: false, fired: [] as TFiring[] };
    if (names.length === 0) return { applied: true, fired: [] as TFiring[] };
    const list = sql.join(
      names.map((n) => sql`${n}`),
      sql`, `,
    );
    await tx.execute(sql`update events set labels = (
        select coalesce(array_agg(distinct l order by l), '{}') from unnest(labels || array[${list}]::text[]) as l)
      where workspace_id = ${workspaceId} and id = ${eventId}`);
    if (!userId) return { applied: true, fired: [] as TFiring[] };
    const inserted = await tx
      .insert(endUserLabels)
      .values(
        flagged.map((l) => ({
          id: newId("lab", now.getTime()),
          workspaceId,
          userId,
          label: l.label,
          eventId,
          conversationId: target.conversationId,
          confidence: l.confidence,
          reason: l.reason,
          source: decision.source,
          model: decision.model,
          occurredAt: new Date(target.occurredAt),
        })),
      )
      .onConflictDoNothing()
      .returning({ label: endUserLabels.label });
    const added = [...new Set(inserted.map((r) => r.label))];
    if (added.length) {
      await publish(tx, EVENTS.endUserLabelled, workspaceId, {
        userId,
        labels: added,
        eventId,
        checkId: null,
        source: decision.source,
        stage: "record",
        at: now.toISOString(),
      });
    }
    const { fired } = await evaluateLabelPolicies(tx, {
      workspaceId,
      userId,
      eventId,
      labels: inserted.map((r) => r.label),
      policies: policiesFor(
        actingPolicies(
          state.labelPolicies.filter((p) => p.stage === "record"),
          planAllows(state, "growth", now),
        ),
        state.segmentMembers,
        userId,
      ),
      now,
    });
    await bumpLabelVersion(tx, workspaceId);
    return { applied: true, fired };
  });
  return { ...result, labels: names.length ? names : ["safe"], source: decision.source };
}
