import type { TRecordInput } from "@/server/contract/sdk";
import { latestUserText } from "./messages";

/** What the labeller keeps of a call's text: both ends of a long text, like the classifier reads it. */
export const LABEL_INPUT_CHARS = 8_000;
export const LABEL_OUTPUT_CHARS = 4_000;
/** How long unlabelled or conversation text is kept for the labeller when payload logging is off. */
export const LABEL_TEXT_TTL_MS = 24 * 3600_000;

function ends(text: string, max: number): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)}\n…\n${text.slice(text.length - half)}`;
}

/**
 * The end user's words and the model's answer of a /sdk/record call, truncated, or null when
 * there is nothing to label. A messages array contributes its latest user turn: the earlier
 * turns are labelled with their own events (same conversationId).
 */
export function labelTextOf(
  input: TRecordInput["input"],
  output: string | null | undefined,
  redact: (text: string) => string = (t) => t,
): { input: string | null; output: string | null } | null {
  const said = input == null ? "" : latestUserText(input).trim();
  const answered = (output ?? "").trim();
  if (!said && !answered) return null;
  // Cut before redacting: the redactor only ever sees the bounded text that is kept.
  return {
    input: said ? redact(ends(said, LABEL_INPUT_CHARS)) : null,
    output: answered ? redact(ends(answered, LABEL_OUTPUT_CHARS)) : null,
  };
}
