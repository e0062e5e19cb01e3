import type { Db } from "@/db/client";
import { applyLabels, type TApplied } from "./apply-labels";
import { decideLabels, type TLabelDecision } from "./decide-labels";
import { loadLabelTask, type TLabelTarget } from "./label-task";

export interface TLabelEventInput {
  workspaceId: string;
  eventId: string;
  /** From the outbox payload: false means nothing was sent to label, skip without a read. */
  hasText?: boolean;
}

/**
 * First half of labelling (an Inngest step on its own): read the event's text and its
 * conversation, and decide the labels (LLM with retries, or the built-in classifier). Returns
 * where the labels go and the decision, no text, or null when there is nothing to label.
 */
export async function decideEventLabels(
  db: Db,
  input: TLabelEventInput,
  opts?: { attempts?: number; backoffMs?: number },
): Promise<{ target: TLabelTarget; decision: TLabelDecision } | null> {
  if (input.hasText === false) return null;
  const task = await loadLabelTask(db, input);
  if (!task) return null;
  const decision = await decideLabels(task, opts);
  const { turns: _text, usagePolicy: _policy, customLabels: _labels, ...target } = task;
  return { target, decision };
}

/**
 * `tokenist/event.recorded` → labels on the event and its end user → label policies, both
 * halves in one call; the label-event reaction (server/events/reactions.ts) runs them as two
 * steps. Idempotent: a redelivery writes nothing.
 */
export async function labelRecordedEvent(
  db: Db,
  input: TLabelEventInput,
  opts?: { attempts?: number; backoffMs?: number; now?: Date },
): Promise<TApplied | { applied: false; skipped: "nothing_to_label" }> {
  const decided = await decideEventLabels(db, input, opts);
  if (!decided) return { applied: false, skipped: "nothing_to_label" };
  return applyLabels(db, decided.target, decided.decision, opts?.now);
}
