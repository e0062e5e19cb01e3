import type { Db } from "@/db/client";
import { applyLabels, type TApplied } from "./apply-labels";
import { decideLabels, type TLabelDecision } from "./decide-labels";
import { loadLabelTask, type TLabelTarget } from "./label-task";
import type { TLlmCall } from "./llm-labeller";
import { recordLlmCalls } from "./track-llm-cost";

export interface TLabelEventInput {
  workspaceId: string;
  eventId: string;
  /** From the outbox payload: false means nothing was sent to label, skip without a read. */
  hasText?: boolean;
}

/**
 * First half of labelling (an Inngest step on its own): read the event's text and its
 * conversation, decide the labels (LLM with retries, or the built-in classifier) and add the
 * LLM calls' tokens and cost to the workspace's totals. Returns where the labels go and the
 * decision, no text, or null when there is nothing to label.
 */
export async function decideEventLabels(
  db: Db,
  input: TLabelEventInput,
  opts?: { attempts?: number; backoffMs?: number },
): Promise<{ target: TLabelTarget; decision: TLabelDecision } | null> {
  if (input.hasText === false) return null;
  const task = await loadLabelTask(db, input);
  if (!task) return null;
  const calls: TLlmCall[] = [];
  const decision = await decideLabels(task, { ...opts, onCall: (call) => calls.push(call) });
  // Now, not with the labels: these calls are paid for even if the labels never land.
  await recordLlmCalls(db, task.workspaceId, calls);
  const { turns: _text, usagePolicy: _policy, customLabels: _labels, sendRawText: _raw, ...target } = task;
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
