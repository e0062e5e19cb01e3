import { countTokens } from "gpt-tokenizer";
import type { TCheckInput } from "@/server/contract/sdk";
import { priceCall } from "../core/pricing";
import type { RuleRow } from "../core/workspace-state";

export interface Estimate {
  requests: bigint;
  tokens: bigint;
  costNanos: bigint;
}

const EMPTY_TOKENS = { input: 0, cachedInput: 0, cacheWrite: 0, output: 0, reasoning: 0, audioInput: 0, audioOutput: 0, total: 0 };
// Tokenising is linear in the text; past this size a chars/4 estimate is close enough.
const TOKENIZE_MAX_CHARS = 20_000;

/**
 * What this call will add, reserved by check and settled by record: one request, and the
 * caller's `estimatedTokens` (or the input's token count) and its input-side cost. Tokenised
 * and priced only when a token or cost rule applies; otherwise characters / 4, kept with the
 * check so a record without usage (a stream left early) still counts the prompt.
 */
export function estimateRequest(input: TCheckInput, rules: RuleRow[]): Estimate {
  const needsTokens = rules.some((r) => r.metric !== "requests");
  if (!needsTokens) return { requests: 1n, tokens: BigInt(input.estimatedTokens ?? Math.ceil(inputChars(input.input) / 4)), costNanos: 0n };
  const tokens = input.estimatedTokens ?? estimateInputTokens(input.input);
  let costNanos = 0n;
  if (tokens > 0 && input.model && rules.some((r) => r.metric === "cost_usd")) {
    const price = priceCall({ model: input.model, tokens: { ...EMPTY_TOKENS, input: tokens, total: tokens }, at: new Date() });
    costNanos = price.costNanos;
  }
  return { requests: 1n, tokens: BigInt(tokens), costNanos };
}

function estimateInputTokens(input: TCheckInput["input"]): number {
  if (!input) return 0;
  const text =
    typeof input === "string"
      ? input
      : input.map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? ""))).join("\n");
  return estimateTextTokens(text);
}

/** Tokens of a text: exact up to TOKENIZE_MAX_CHARS, characters / 4 beyond. */
export function estimateTextTokens(text: string): number {
  if (text.length > TOKENIZE_MAX_CHARS) return Math.ceil(text.length / 4);
  return countTokens(text);
}

function inputChars(input: TCheckInput["input"]): number {
  if (!input) return 0;
  if (typeof input === "string") return input.length;
  let n = 0;
  for (const m of input) n += typeof m.content === "string" ? m.content.length : m.content == null ? 0 : 64;
  return n;
}
