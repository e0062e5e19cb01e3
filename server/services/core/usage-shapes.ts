/**
 * How each provider spells its usage object. Every reader turns one spelling into a
 * `UsageDraft` whose totals already contain their parts, so that nothing downstream
 * has to know which provider counts cache or reasoning tokens inside or outside.
 * The invariants (parts never exceed totals) are checked once, in usage.ts.
 */
import { InvalidInputError } from "../errors";

export type UsageIssue = { path: string[]; message: string };

/** A usage object we cannot read: a 400 `invalid_request` at every door. */
export class UsageError extends InvalidInputError {
  declare readonly details: UsageIssue[];

  constructor(message: string, details: UsageIssue[] = []) {
    super(message, details);
  }
}

/** Counts in our own terms: `input` and `output` include every part listed under them. */
export type UsageDraft = {
  input: number;
  cachedInput: number;
  cacheWrite: number;
  cacheWrite1h: number;
  audioInput: number;
  /** Undefined when the provider does not say which cached tokens were audio. */
  cachedAudioInput?: number;
  output: number;
  reasoning: number;
  audioOutput: number;
};

type Obj = Record<string, unknown>;

/**
 * The most tokens one record may report in any field (and in any total we derive). A million
 * times a long context: above it the caller sent a wrong number, and it is refused before it
 * can reach the rollup sums (int8) and overflow them for the whole workspace.
 */
export const MAX_TOKENS_PER_RECORD = 1_000_000_000;

export function isRecord(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function failUsage(path: string[], message: string): never {
  const where = path.length ? `usage.${path.join(".")}` : "usage";
  throw new UsageError(`${where} ${message}`, [{ path, message }]);
}

/** A token count, or undefined when absent. Providers send null for "not applicable". */
function count(obj: Obj | undefined, key: string, path: string[]): number | undefined {
  const value = obj?.[key];
  if (value === undefined || value === null) return undefined;
  const at = [...path, key];
  // Strings are refused rather than coerced: "12" usually means a caller serialised badly.
  if (typeof value !== "number") failUsage(at, `must be a number, got ${typeof value}`);
  if (!Number.isFinite(value)) failUsage(at, "must be a finite number");
  if (!Number.isInteger(value)) failUsage(at, "must be an integer");
  if (value < 0) failUsage(at, "must not be negative");
  if (value > MAX_TOKENS_PER_RECORD) failUsage(at, `must be at most ${MAX_TOKENS_PER_RECORD} tokens per record`);
  return value;
}

function nested(obj: Obj, key: string, path: string[]): Obj | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) failUsage([...path, key], "must be an object");
  return value;
}

/** First present spelling wins (Gemini's REST camelCase vs its Python SDK's snake_case). */
function countOf(obj: Obj | undefined, keys: string[], path: string[] = []): number | undefined {
  for (const key of keys) {
    const value = count(obj, key, path);
    if (value !== undefined) return value;
  }
  return undefined;
}

function sum(path: string[], ...parts: (number | undefined)[]): number {
  const total = parts.reduce<number>((acc, part) => acc + (part ?? 0), 0);
  if (total > MAX_TOKENS_PER_RECORD) failUsage(path, `adds up to more than ${MAX_TOKENS_PER_RECORD} tokens per record`);
  return total;
}

export function readOpenAIChat(u: Obj, asEmbeddings: boolean): UsageDraft {
  const prompt = count(u, "prompt_tokens", []);
  const completion = count(u, "completion_tokens", []) ?? 0;
  const total = count(u, "total_tokens", []);
  // Some embedding APIs (and OpenAI's own for a few models) only send total_tokens.
  const input = prompt ?? (asEmbeddings && total !== undefined ? total : undefined);
  if (input === undefined) failUsage(["prompt_tokens"], "is required");
  const pd = nested(u, "prompt_tokens_details", []);
  const cd = nested(u, "completion_tokens_details", []);
  const reasoning = count(cd, "reasoning_tokens", ["completion_tokens_details"]) ?? 0;
  // OpenAI counts reasoning inside completion_tokens. A few compatible APIs (xAI) count
  // it outside; their total_tokens then gives it away, and we add it back.
  const reasoningOutside = reasoning > 0 && total === input + completion + reasoning;
  return {
    input,
    // prompt_cache_hit_tokens: DeepSeek's spelling of the same thing.
    cachedInput: count(pd, "cached_tokens", ["prompt_tokens_details"]) ?? count(u, "prompt_cache_hit_tokens", []) ?? 0,
    cacheWrite: count(pd, "cache_write_tokens", ["prompt_tokens_details"]) ?? 0,
    cacheWrite1h: 0,
    audioInput: count(pd, "audio_tokens", ["prompt_tokens_details"]) ?? 0,
    output: reasoningOutside ? sum(["completion_tokens"], completion, reasoning) : completion,
    reasoning,
    audioOutput: count(cd, "audio_tokens", ["completion_tokens_details"]) ?? 0,
  };
}

export function readOpenAIResponses(u: Obj): UsageDraft {
  const id = nested(u, "input_tokens_details", []);
  const od = nested(u, "output_tokens_details", []);
  return {
    input: count(u, "input_tokens", []) ?? 0,
    cachedInput: count(id, "cached_tokens", ["input_tokens_details"]) ?? 0,
    cacheWrite: count(id, "cache_write_tokens", ["input_tokens_details"]) ?? 0,
    cacheWrite1h: 0,
    audioInput: 0,
    output: count(u, "output_tokens", []) ?? 0,
    reasoning: count(od, "reasoning_tokens", ["output_tokens_details"]) ?? 0,
    audioOutput: 0,
  };
}

export function readOpenAIRealtime(u: Obj): UsageDraft {
  const ip = ["input_token_details"];
  const op = ["output_token_details"];
  const id = nested(u, "input_token_details", []);
  const od = nested(u, "output_token_details", []);
  const cd = id ? nested(id, "cached_tokens_details", ip) : undefined;
  const audioInput = count(id, "audio_tokens", ip) ?? 0;
  const audioOutput = count(od, "audio_tokens", op) ?? 0;
  // The modality split must fit inside the totals; when a total is missing, it is the split.
  const inputSplit = sum(ip, count(id, "text_tokens", ip), audioInput, count(id, "image_tokens", ip));
  const outputSplit = sum(op, count(od, "text_tokens", op), audioOutput);
  const input = count(u, "input_tokens", []) ?? inputSplit;
  const output = count(u, "output_tokens", []) ?? outputSplit;
  if (inputSplit > input) failUsage(ip, `text + audio + image tokens (${inputSplit}) exceed input_tokens (${input})`);
  if (outputSplit > output) failUsage(op, `text + audio tokens (${outputSplit}) exceed output_tokens (${output})`);
  return {
    input,
    cachedInput: count(id, "cached_tokens", ip) ?? 0,
    cacheWrite: 0,
    cacheWrite1h: 0,
    audioInput,
    cachedAudioInput: count(cd, "audio_tokens", [...ip, "cached_tokens_details"]),
    output,
    reasoning: 0,
    audioOutput,
  };
}

export function readAnthropic(u: Obj): UsageDraft {
  const uncached = count(u, "input_tokens", []) ?? 0;
  const cacheRead = count(u, "cache_read_input_tokens", []) ?? 0;
  const cc = nested(u, "cache_creation", []);
  const write5m = count(cc, "ephemeral_5m_input_tokens", ["cache_creation"]);
  const write1h = count(cc, "ephemeral_1h_input_tokens", ["cache_creation"]);
  const cacheWrite = count(u, "cache_creation_input_tokens", []) ?? sum(["cache_creation"], write5m, write1h);
  return {
    // Anthropic's input_tokens is only the uncached part: cache reads and writes sit beside it.
    input: sum(["input_tokens"], uncached, cacheRead, cacheWrite),
    cachedInput: cacheRead,
    cacheWrite,
    cacheWrite1h: write1h ?? 0,
    audioInput: 0,
    // Extended-thinking tokens are billed inside output_tokens and not reported apart.
    output: count(u, "output_tokens", []) ?? 0,
    reasoning: 0,
    audioOutput: 0,
  };
}

/** Sum of the AUDIO entries of a Gemini `[{ modality, tokenCount }]` breakdown. */
function geminiAudio(u: Obj, keys: string[]): number {
  const key = keys.find((k) => u[k] !== undefined && u[k] !== null);
  if (!key) return 0;
  const list = u[key];
  if (!Array.isArray(list)) failUsage([key], "must be an array");
  return list.reduce<number>((acc, entry, i) => {
    if (!isRecord(entry) || String(entry.modality ?? "").toUpperCase() !== "AUDIO") return acc;
    return sum([key], acc, countOf(entry, ["tokenCount", "token_count"], [key, String(i)]));
  }, 0);
}

export function readGemini(u: Obj): UsageDraft {
  const prompt = countOf(u, ["promptTokenCount", "prompt_token_count"]);
  const toolPrompt = countOf(u, ["toolUsePromptTokenCount", "tool_use_prompt_token_count"]);
  // responseTokenCount: the Live API's name for candidatesTokenCount.
  const candidates = countOf(u, ["candidatesTokenCount", "candidates_token_count", "responseTokenCount", "response_token_count"]);
  const thoughts = countOf(u, ["thoughtsTokenCount", "thoughts_token_count"]) ?? 0;
  const cached = countOf(u, ["cachedContentTokenCount", "cached_content_token_count"]) ?? 0;
  // totalTokenCount alone says nothing about what to bill at which rate.
  if (prompt === undefined && candidates === undefined && thoughts === 0) {
    failUsage(["promptTokenCount"], "is required");
  }
  const hasCachedAudio = ["cacheTokensDetails", "cache_tokens_details"].some((k) => u[k] != null);
  return {
    // promptTokenCount already includes the cached content; tool-use prompts (e.g. search
    // results fed back) are billed as input but counted apart. Google documents
    // totalTokenCount = prompt + candidates + toolUsePrompt + thoughts.
    input: sum(["promptTokenCount"], prompt, toolPrompt),
    cachedInput: cached,
    cacheWrite: 0,
    cacheWrite1h: 0,
    audioInput: sum(
      ["promptTokensDetails"],
      geminiAudio(u, ["promptTokensDetails", "prompt_tokens_details"]),
      geminiAudio(u, ["toolUsePromptTokensDetails", "tool_use_prompt_tokens_details"]),
    ),
    cachedAudioInput: hasCachedAudio ? geminiAudio(u, ["cacheTokensDetails", "cache_tokens_details"]) : undefined,
    // Thinking tokens are NOT inside candidatesTokenCount, yet are billed at the output rate.
    output: sum(["candidatesTokenCount"], candidates, thoughts),
    reasoning: thoughts,
    audioOutput: geminiAudio(u, [
      "candidatesTokensDetails",
      "candidates_tokens_details",
      "responseTokensDetails",
      "response_tokens_details",
    ]),
  };
}

/** Our own shape (the SDK's): totals include their parts, like OpenAI's. */
export function readNormalized(u: Obj): UsageDraft {
  return {
    input: count(u, "inputTokens", []) ?? 0,
    cachedInput: count(u, "cachedInputTokens", []) ?? 0,
    cacheWrite: count(u, "cacheWriteTokens", []) ?? 0,
    cacheWrite1h: 0,
    audioInput: count(u, "audioInputTokens", []) ?? 0,
    cachedAudioInput: count(u, "cachedAudioInputTokens", []),
    output: count(u, "outputTokens", []) ?? 0,
    reasoning: count(u, "reasoningTokens", []) ?? 0,
    audioOutput: count(u, "audioOutputTokens", []) ?? 0,
  };
}
