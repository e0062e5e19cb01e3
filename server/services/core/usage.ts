/**
 * Reads the usage object an LLM provider returned (shared/API.md, POST /sdk/record)
 * into one breakdown, without double counting: providers disagree on whether cache and
 * reasoning tokens sit inside or beside their totals, and a wrong guess bills twice.
 * Pure: no database, no network.
 */
import {
  UsageError,
  failUsage,
  isRecord,
  MAX_TOKENS_PER_RECORD,
  readAnthropic,
  readGemini,
  readNormalized,
  readOpenAIChat,
  readOpenAIRealtime,
  readOpenAIResponses,
  type UsageDraft,
  type UsageIssue,
} from "./usage-shapes";

export { MAX_TOKENS_PER_RECORD, UsageError, type UsageIssue };

export type UsageFormat =
  | "openai_chat"
  | "openai_responses"
  | "openai_realtime"
  | "openai_embeddings"
  | "anthropic"
  | "gemini"
  | "normalized";

/**
 * The breakdown we store and answer with (ZTokens in server/contract/sdk.ts).
 * `input` counts every input token (uncached + cache read + cache write); cachedInput,
 * cacheWrite and audioInput are parts of it. `output` counts every output token;
 * reasoning and audioOutput are parts of it. total = input + output.
 */
export type UsageTokens = {
  input: number;
  cachedInput: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
  audioInput: number;
  audioOutput: number;
  total: number;
};

/** Finer splits that only pricing needs (some models bill them at their own rate). */
export type UsageDetail = {
  /** Cache reads that were audio: part of both cachedInput and audioInput. */
  cachedAudioInput: number;
  /** Cache writes with Anthropic's 1-hour TTL: part of cacheWrite. */
  cacheWrite1h: number;
};

export type ParsedUsage = { format: UsageFormat; tokens: UsageTokens; detail: UsageDetail };

export type UsageHint = { requestType?: string | null; provider?: string | null };

const has = (u: Record<string, unknown>, ...keys: string[]) => keys.some((key) => u[key] !== undefined && u[key] !== null);

/** Which provider spelling this is. Field names decide; the hint only breaks ties. */
function detectFormat(u: Record<string, unknown>, hint: UsageHint): UsageFormat | null {
  const requestType = hint.requestType?.toLowerCase();
  const provider = hint.provider?.toLowerCase() ?? "";
  if (
    has(u, "promptTokenCount", "candidatesTokenCount", "totalTokenCount", "responseTokenCount") ||
    has(u, "prompt_token_count", "candidates_token_count", "total_token_count", "response_token_count")
  )
    return "gemini";
  if (has(u, "inputTokens", "outputTokens")) return "normalized";
  if (has(u, "cache_read_input_tokens", "cache_creation_input_tokens", "cache_creation")) return "anthropic";
  if (has(u, "input_token_details", "output_token_details")) return "openai_realtime";
  if (has(u, "input_tokens", "output_tokens")) {
    // Without cache fields Anthropic's and OpenAI's input/output mean the same counts,
    // so a wrong tie-break only mislabels the format, never the numbers.
    if (provider.includes("anthropic")) return "anthropic";
    if (requestType === "realtime") return "openai_realtime";
    return "openai_responses";
  }
  if (has(u, "prompt_tokens", "completion_tokens")) {
    if (requestType === "embeddings") return "openai_embeddings";
    if (has(u, "completion_tokens") || requestType === "chat" || requestType === "completion") return "openai_chat";
    return "openai_embeddings";
  }
  if (has(u, "total_tokens") && requestType === "embeddings") return "openai_embeddings";
  return null;
}

function readDraft(format: UsageFormat, u: Record<string, unknown>): UsageDraft {
  switch (format) {
    case "openai_chat":
      return readOpenAIChat(u, false);
    case "openai_embeddings":
      return readOpenAIChat(u, true);
    case "openai_responses":
      return readOpenAIResponses(u);
    case "openai_realtime":
      return readOpenAIRealtime(u);
    case "anthropic":
      return readAnthropic(u);
    case "gemini":
      return readGemini(u);
    case "normalized":
      return readNormalized(u);
  }
}

/**
 * When a provider reports cached and audio input but not their overlap, assume the
 * smallest overlap the totals allow: the counts stay consistent and we never invent
 * cached audio that the numbers do not force.
 */
export function estimateCachedAudioInput(t: Pick<UsageTokens, "input" | "cachedInput" | "cacheWrite" | "audioInput">): number {
  const forced = t.cachedInput + t.cacheWrite + t.audioInput - t.input;
  return Math.min(Math.max(0, forced), t.cachedInput, t.audioInput);
}

function notMore(path: string, part: number, partName: string, whole: number, wholeName: string) {
  if (part > whole) failUsage([path], `${partName} (${part}) exceeds ${wholeName} (${whole})`);
}

/** The invariants every breakdown keeps, whatever the provider. */
function finishDraft(d: UsageDraft): { tokens: UsageTokens; detail: UsageDetail } {
  notMore("cachedInput", d.cachedInput + d.cacheWrite, "cached + cache-write input tokens", d.input, "input tokens");
  notMore("audioInput", d.audioInput, "audio input tokens", d.input, "input tokens");
  notMore("cacheWrite", d.cacheWrite1h, "1-hour cache-write tokens", d.cacheWrite, "cache-write tokens");
  notMore("reasoning", d.reasoning + d.audioOutput, "reasoning + audio output tokens", d.output, "output tokens");
  const cachedAudioInput = d.cachedAudioInput ?? estimateCachedAudioInput(d);
  const cachedOrAudio = Math.min(d.cachedInput, d.audioInput);
  notMore("cachedInput", cachedAudioInput, "cached audio tokens", cachedOrAudio, "cached or audio input tokens");
  // Uncached text + every other part must still fit inside the input total.
  const parts = d.cachedInput + d.cacheWrite + d.audioInput - cachedAudioInput;
  notMore("audioInput", parts, "cached, cache-write and audio input tokens together", d.input, "input tokens");
  const total = d.input + d.output;
  if (!Number.isSafeInteger(total)) failUsage([], "token total is too large");
  return {
    tokens: {
      input: d.input,
      cachedInput: d.cachedInput,
      cacheWrite: d.cacheWrite,
      output: d.output,
      reasoning: d.reasoning,
      audioInput: d.audioInput,
      audioOutput: d.audioOutput,
      total,
    },
    detail: { cachedAudioInput, cacheWrite1h: d.cacheWrite1h },
  };
}

/**
 * Reads a provider usage object (any shape in shared/API.md). Throws UsageError when
 * it is not one, or when its numbers contradict each other.
 */
export function parseUsage(raw: unknown, hint: UsageHint = {}): ParsedUsage {
  if (!isRecord(raw)) failUsage([], "must be an object of token counts");
  let format = detectFormat(raw, hint);
  let usage = raw;
  // A Gemini response's `usageMetadata` passed whole: unwrap it, it costs nothing.
  if (!format && isRecord(raw.usageMetadata)) {
    usage = raw.usageMetadata;
    format = detectFormat(usage, hint);
  }
  if (!format) {
    throw new UsageError("usage has no token counts we recognise", [
      {
        path: [],
        message:
          "expected e.g. prompt_tokens/completion_tokens, input_tokens/output_tokens, " + "promptTokenCount or inputTokens/outputTokens",
      },
    ]);
  }
  return { format, ...finishDraft(readDraft(format, usage)) };
}
