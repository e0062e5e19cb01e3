import { log } from "@/server/lib/log";
import { classifyText } from "./classifier";
import { latestInput, type TLabelTask } from "./label-task";
import { labelWithLlm, llmConfigured, type TLabelVerdict, type TLlmCall } from "./llm-labeller";

export type { TLabelVerdict } from "./llm-labeller";

export interface TLabelDecision {
  /** Every label that applies (LLM or built-in classifier), or one `safe`. */
  labels: TLabelVerdict[];
  source: "llm" | "builtin";
  /** The LLM model that answered; null for the built-in classifier. */
  model: string | null;
  /** Why the LLM was not used although configured (its last error). */
  fallback?: string;
}

const round = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 1e4) / 1e4;

/** The built-in classifier on the latest user turn, with the workspace's policy and custom labels. */
export function labelWithBuiltin(task: Pick<TLabelTask, "turns" | "usagePolicy" | "customLabels">): TLabelVerdict[] {
  const result = classifyText(latestInput(task), { policy: task.usagePolicy, customLabels: task.customLabels });
  if (result.labels.length === 1 && result.labels[0] === "safe") {
    return [{ label: "safe", confidence: round(result.scores.safe ?? 1), reason: "built-in classifier: no intent found" }];
  }
  return result.labels.map((label) => ({
    label,
    confidence: round(result.scores[label] ?? 1),
    reason: `built-in classifier: ${label} score ${round(result.scores[label] ?? 1)}`,
  }));
}

/**
 * Label a task: the LLM when OPENAI_API_KEY is set (retried with backoff), else, or when every
 * try failed, the built-in classifier. Never throws for the LLM's sake. Each answer the LLM
 * gave goes to `onCall` (its cost), whatever became of it.
 */
export async function decideLabels(
  task: TLabelTask,
  opts?: { attempts?: number; backoffMs?: number; onCall?: (call: TLlmCall) => void },
): Promise<TLabelDecision> {
  if (!llmConfigured()) return { labels: labelWithBuiltin(task), source: "builtin", model: null };
  try {
    const { model, labels } = await labelWithLlm(task, opts);
    return { labels, source: "llm", model };
  } catch (err) {
    log.warn("LLM labeller failed; the built-in classifier labels this event", { err, eventId: task.eventId });
    return {
      labels: labelWithBuiltin(task),
      source: "builtin",
      model: null,
      fallback: String((err as Error)?.message ?? err).slice(0, 300),
    };
  }
}
