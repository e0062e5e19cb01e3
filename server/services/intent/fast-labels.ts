import type { TCheckInput } from "@/server/contract/sdk";
import { classifyMessages, classifyText, type TClassifyOptions } from "./classifier";
import { MAX_CHARS } from "./features";
import { currentTurnContent } from "./messages";

/**
 * The labels /sdk/check answers for this input: the built-in classifier, in-process
 * (no network, well under a millisecond), with the workspace's policy terms and custom
 * labels when given. `["safe"]` when nothing was found or sent.
 */
export function classifyCheckInput(input: TCheckInput["input"], opts?: TClassifyOptions): string[] {
  if (!input || (typeof input === "string" && !input.trim())) return ["safe"];
  return classifyMessages(input, opts).labels;
}

/** At most this many tool results of one call are read (the latest ones): bounded work per check. */
export const MAX_CONTENT_PARTS = 20;
/**
 * And at most this much of their text, counted as the classifier reads it (a longer text is read
 * at both ends, MAX_CHARS in all): one full-size result or several small ones, the work of one
 * large `input` (`npm run bench -- intent`: p99 1.8 ms for 20 × 100 kB, 2.4 ms for 20 × 1 kB).
 */
export const CONTENT_CHAR_BUDGET = MAX_CHARS;

/**
 * The labels /sdk/check answers as `contentLabels`: whether the tool results and retrieved content
 * of this turn carry a prompt injection (`["jailbreak"]`), `["safe"]` when they were read and none
 * does, `[]` when the call sent none. The same built-in classifier, jailbreak only: frustration,
 * win and policy terms describe the end user, not a web page. Never counted against the end user.
 */
export function classifyCheckContent(input: TCheckInput["input"]): string[] {
  if (!input || typeof input === "string") return [];
  const parts = currentTurnContent(input).slice(-MAX_CONTENT_PARTS);
  if (parts.length === 0) return [];
  let budget = CONTENT_CHAR_BUDGET;
  // The latest first: the result the model is about to read.
  for (let i = parts.length - 1; i >= 0 && budget > 0; i--) {
    if (classifyText(parts[i]!).labels.includes("jailbreak")) return ["jailbreak"];
    budget -= Math.min(parts[i]!.length, MAX_CHARS);
  }
  return ["safe"];
}
