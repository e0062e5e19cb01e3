import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  MAX_TOKENS_PER_RECORD,
  parseUsage,
  UsageError,
  type UsageFormat,
  type UsageHint,
  type UsageTokens,
} from "@/server/services/core/usage";
import { InvalidInputError } from "@/server/services/errors";

const zero: UsageTokens = {
  input: 0,
  cachedInput: 0,
  cacheWrite: 0,
  output: 0,
  reasoning: 0,
  audioInput: 0,
  audioOutput: 0,
  total: 0,
};

type Case = {
  name: string;
  raw: unknown;
  hint?: UsageHint;
  format: UsageFormat;
  tokens: Partial<UsageTokens>;
  detail?: { cachedAudioInput?: number; cacheWrite1h?: number };
};

const cases: Case[] = [
  {
    name: "OpenAI chat, cached prompt (the API.md example)",
    raw: { prompt_tokens: 812, completion_tokens: 95, total_tokens: 907, prompt_tokens_details: { cached_tokens: 512 } },
    format: "openai_chat",
    tokens: { input: 812, cachedInput: 512, output: 95, total: 907 },
  },
  {
    name: "OpenAI chat, gpt-5 / o-series reasoning inside completion_tokens",
    raw: {
      prompt_tokens: 1000,
      completion_tokens: 3000,
      total_tokens: 4000,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 2500, audio_tokens: 0, accepted_prediction_tokens: 0 },
    },
    format: "openai_chat",
    tokens: { input: 1000, output: 3000, reasoning: 2500, total: 4000 },
  },
  {
    name: "OpenAI chat, audio in and out (gpt-audio)",
    raw: {
      prompt_tokens: 1200,
      completion_tokens: 800,
      total_tokens: 2000,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 1000 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 700 },
    },
    format: "openai_chat",
    tokens: { input: 1200, audioInput: 1000, output: 800, audioOutput: 700, total: 2000 },
  },
  {
    name: "OpenAI-compatible chat with null details (Azure, vLLM)",
    raw: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: null },
    format: "openai_chat",
    tokens: { input: 10, output: 5, total: 15 },
  },
  {
    name: "xAI-style chat: reasoning outside completion_tokens, given away by total_tokens",
    raw: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 350, completion_tokens_details: { reasoning_tokens: 200 } },
    format: "openai_chat",
    tokens: { input: 100, output: 250, reasoning: 200, total: 350 },
  },
  {
    name: "DeepSeek chat: prompt_cache_hit_tokens",
    raw: { prompt_tokens: 1000, completion_tokens: 10, prompt_cache_hit_tokens: 600, prompt_cache_miss_tokens: 400 },
    format: "openai_chat",
    tokens: { input: 1000, cachedInput: 600, output: 10, total: 1010 },
  },
  {
    name: "OpenAI Responses, cached input and reasoning (o4-mini)",
    raw: {
      input_tokens: 2000,
      input_tokens_details: { cached_tokens: 1024 },
      output_tokens: 1500,
      output_tokens_details: { reasoning_tokens: 1200 },
      total_tokens: 3500,
    },
    format: "openai_responses",
    tokens: { input: 2000, cachedInput: 1024, output: 1500, reasoning: 1200, total: 3500 },
  },
  {
    name: "OpenAI Realtime, text/audio split with cached audio detail",
    raw: {
      total_tokens: 2100,
      input_tokens: 1500,
      output_tokens: 600,
      input_token_details: {
        text_tokens: 300,
        audio_tokens: 1200,
        cached_tokens: 1000,
        cached_tokens_details: { text_tokens: 200, audio_tokens: 800 },
      },
      output_token_details: { text_tokens: 100, audio_tokens: 500 },
    },
    format: "openai_realtime",
    tokens: { input: 1500, cachedInput: 1000, audioInput: 1200, output: 600, audioOutput: 500, total: 2100 },
    detail: { cachedAudioInput: 800 },
  },
  {
    name: "OpenAI Realtime without cached_tokens_details: smallest overlap the totals force",
    raw: {
      input_tokens: 1500,
      output_tokens: 600,
      input_token_details: { text_tokens: 300, audio_tokens: 1200, cached_tokens: 1000 },
      output_token_details: { text_tokens: 100, audio_tokens: 500 },
    },
    format: "openai_realtime",
    tokens: { input: 1500, cachedInput: 1000, audioInput: 1200, output: 600, audioOutput: 500, total: 2100 },
    detail: { cachedAudioInput: 700 },
  },
  {
    name: "OpenAI Realtime without totals: the split is the total",
    raw: { input_token_details: { text_tokens: 30, audio_tokens: 70 }, output_token_details: { audio_tokens: 40 } },
    format: "openai_realtime",
    tokens: { input: 100, audioInput: 70, output: 40, audioOutput: 40, total: 140 },
  },
  {
    name: "OpenAI embeddings",
    raw: { prompt_tokens: 7, total_tokens: 7 },
    format: "openai_embeddings",
    tokens: { input: 7, total: 7 },
  },
  {
    name: "embeddings with only total_tokens (requestType hint)",
    raw: { total_tokens: 42 },
    hint: { requestType: "embeddings" },
    format: "openai_embeddings",
    tokens: { input: 42, total: 42 },
  },
  {
    name: "Anthropic, cache read AND cache write beside input_tokens",
    raw: { input_tokens: 100, cache_read_input_tokens: 5000, cache_creation_input_tokens: 2000, output_tokens: 400 },
    format: "anthropic",
    tokens: { input: 7100, cachedInput: 5000, cacheWrite: 2000, output: 400, total: 7500 },
  },
  {
    name: "Anthropic, 5-minute and 1-hour cache writes",
    raw: {
      input_tokens: 100,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 2000,
      cache_creation: { ephemeral_5m_input_tokens: 500, ephemeral_1h_input_tokens: 1500 },
      output_tokens: 400,
      service_tier: "standard",
    },
    format: "anthropic",
    tokens: { input: 2100, cacheWrite: 2000, output: 400, total: 2500 },
    detail: { cacheWrite1h: 1500 },
  },
  {
    name: "Anthropic without cache fields, told by the provider hint",
    raw: { input_tokens: 12, output_tokens: 3 },
    hint: { provider: "anthropic" },
    format: "anthropic",
    tokens: { input: 12, output: 3, total: 15 },
  },
  {
    name: "Gemini, cached content inside the prompt, thoughts beside the candidates",
    raw: {
      promptTokenCount: 10_000,
      cachedContentTokenCount: 8000,
      candidatesTokenCount: 500,
      thoughtsTokenCount: 1500,
      totalTokenCount: 12_000,
    },
    format: "gemini",
    tokens: { input: 10_000, cachedInput: 8000, output: 2000, reasoning: 1500, total: 12_000 },
  },
  {
    name: "Gemini, snake_case (Python SDK)",
    raw: { prompt_token_count: 10_000, cached_content_token_count: 8000, candidates_token_count: 500, thoughts_token_count: 1500 },
    format: "gemini",
    tokens: { input: 10_000, cachedInput: 8000, output: 2000, reasoning: 1500, total: 12_000 },
  },
  {
    name: "Gemini, audio by modality, cached audio and tool-use prompt",
    raw: {
      promptTokenCount: 1000,
      promptTokensDetails: [
        { modality: "TEXT", tokenCount: 400 },
        { modality: "AUDIO", tokenCount: 600 },
      ],
      cachedContentTokenCount: 300,
      cacheTokensDetails: [{ modality: "AUDIO", tokenCount: 300 }],
      toolUsePromptTokenCount: 50,
      candidatesTokenCount: 200,
      candidatesTokensDetails: [{ modality: "AUDIO", tokenCount: 150 }],
    },
    format: "gemini",
    tokens: { input: 1050, cachedInput: 300, audioInput: 600, output: 200, audioOutput: 150, total: 1250 },
    detail: { cachedAudioInput: 300 },
  },
  {
    name: "Gemini, candidatesTokenCount omitted when nothing was generated",
    raw: { promptTokenCount: 9, totalTokenCount: 9 },
    format: "gemini",
    tokens: { input: 9, total: 9 },
  },
  {
    name: "Gemini response's usageMetadata passed whole",
    raw: { usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 5, totalTokenCount: 25 } },
    format: "gemini",
    tokens: { input: 20, output: 5, total: 25 },
  },
  {
    name: "normalised shape (our SDK's)",
    raw: {
      inputTokens: 1000,
      outputTokens: 500,
      cachedInputTokens: 200,
      cacheWriteTokens: 100,
      reasoningTokens: 100,
      audioInputTokens: 300,
      audioOutputTokens: 200,
    },
    format: "normalized",
    tokens: {
      input: 1000,
      cachedInput: 200,
      cacheWrite: 100,
      audioInput: 300,
      output: 500,
      reasoning: 100,
      audioOutput: 200,
      total: 1500,
    },
  },
];

describe("parseUsage: every shape in shared/API.md", () => {
  it.each(cases)("$name", ({ raw, hint, format, tokens, detail }) => {
    const parsed = parseUsage(raw, hint);
    expect(parsed.format).toBe(format);
    expect(parsed.tokens).toEqual({ ...zero, ...tokens });
    if (detail) expect(parsed.detail).toMatchObject(detail);
  });
});

type Bad = { name: string; raw: unknown; hint?: UsageHint; path?: string[] };

const bad: Bad[] = [
  { name: "null", raw: null, path: [] },
  { name: "an array", raw: [{ prompt_tokens: 1 }], path: [] },
  { name: "a string", raw: "812", path: [] },
  { name: "a number", raw: 812, path: [] },
  { name: "an empty object", raw: {}, path: [] },
  { name: "no recognisable field", raw: { foo: 1, tokens: 3 }, path: [] },
  { name: "a negative count", raw: { prompt_tokens: -1, completion_tokens: 2 }, path: ["prompt_tokens"] },
  { name: "a fractional count", raw: { prompt_tokens: 1.5, completion_tokens: 2 }, path: ["prompt_tokens"] },
  { name: "NaN", raw: { input_tokens: Number.NaN, output_tokens: 1 }, path: ["input_tokens"] },
  { name: "Infinity", raw: { inputTokens: Number.POSITIVE_INFINITY }, path: ["inputTokens"] },
  { name: "a string number", raw: { prompt_tokens: "812", completion_tokens: 95 }, path: ["prompt_tokens"] },
  { name: "an unsafe integer", raw: { prompt_tokens: 2 ** 53, completion_tokens: 0 }, path: ["prompt_tokens"] },
  {
    name: "totals that overflow when added",
    raw: { input_tokens: Number.MAX_SAFE_INTEGER, cache_read_input_tokens: 10, output_tokens: 1 },
    path: ["input_tokens"],
  },
  {
    name: "cached > prompt",
    raw: { prompt_tokens: 100, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 101 } },
    path: ["cachedInput"],
  },
  {
    name: "reasoning > completion (and total_tokens does not explain it)",
    raw: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, completion_tokens_details: { reasoning_tokens: 6 } },
    path: ["reasoning"],
  },
  {
    name: "audio > prompt",
    raw: { prompt_tokens: 10, completion_tokens: 0, prompt_tokens_details: { audio_tokens: 11 } },
    path: ["audioInput"],
  },
  {
    name: "Responses cached > input",
    raw: { input_tokens: 5, output_tokens: 1, input_tokens_details: { cached_tokens: 6 } },
    path: ["cachedInput"],
  },
  {
    name: "Realtime split > input_tokens",
    raw: { input_tokens: 10, output_tokens: 1, input_token_details: { text_tokens: 8, audio_tokens: 8 } },
    path: ["input_token_details"],
  },
  {
    name: "Realtime cached audio > cached",
    raw: {
      input_tokens: 100,
      output_tokens: 0,
      input_token_details: { audio_tokens: 80, cached_tokens: 10, cached_tokens_details: { audio_tokens: 20 } },
    },
    path: ["cachedInput"],
  },
  {
    name: "Anthropic 1h writes > all writes",
    raw: {
      input_tokens: 1,
      output_tokens: 1,
      cache_creation_input_tokens: 10,
      cache_creation: { ephemeral_1h_input_tokens: 11 },
    },
    path: ["cacheWrite"],
  },
  {
    name: "Gemini cached content > prompt",
    raw: { promptTokenCount: 10, cachedContentTokenCount: 11, candidatesTokenCount: 1 },
    path: ["cachedInput"],
  },
  { name: "Gemini with only a total", raw: { totalTokenCount: 30 }, path: ["promptTokenCount"] },
  { name: "Gemini thoughts as a string", raw: { promptTokenCount: 10, thoughtsTokenCount: "3" }, path: ["thoughtsTokenCount"] },
  {
    name: "Gemini details not a list",
    raw: { promptTokenCount: 10, promptTokensDetails: { AUDIO: 3 } },
    path: ["promptTokensDetails"],
  },
  {
    name: "details not an object",
    raw: { prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: 5 },
    path: ["prompt_tokens_details"],
  },
  { name: "normalised reasoning > output", raw: { inputTokens: 1, outputTokens: 2, reasoningTokens: 3 }, path: ["reasoning"] },
  { name: "chat without prompt_tokens", raw: { completion_tokens: 3 }, path: ["prompt_tokens"] },
];

describe("parseUsage: refuses what it cannot read", () => {
  it.each(bad)("$name", ({ raw, hint, path }) => {
    let error: unknown;
    try {
      parseUsage(raw, hint);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    // A 400 invalid_request at every door, through the shared ServiceError mapping.
    expect(error).toBeInstanceOf(InvalidInputError);
    const usageError = error as UsageError;
    expect(usageError.status).toBe(400);
    expect(usageError.code).toBe("invalid_request");
    expect(usageError.message).toMatch(/^usage/);
    expect(usageError.details.length).toBeGreaterThan(0);
    if (path) expect(usageError.details[0]?.path).toEqual(path);
  });
});

describe("M5: token counts are capped per record", () => {
  const refusal = (raw: unknown) => {
    try {
      parseUsage(raw);
    } catch (e) {
      return e as UsageError;
    }
    throw new Error("accepted");
  };

  it("M5: a usage with 3e15 prompt tokens is a 400 invalid_request naming usage.prompt_tokens", () => {
    // The audit's record: two of these in one hour overflowed the hour rollup's int8 sums.
    const error = refusal({ prompt_tokens: 3_000_000_000_000_000, completion_tokens: 0 });
    expect(error).toBeInstanceOf(UsageError);
    expect(error.status).toBe(400);
    expect(error.code).toBe("invalid_request");
    expect(error.message).toBe("usage.prompt_tokens must be at most 1000000000 tokens per record");
    expect(error.details[0]?.path).toEqual(["prompt_tokens"]);
  });

  it.each([
    { raw: { input_tokens: 1, output_tokens: 2e9 }, path: ["output_tokens"] },
    { raw: { inputTokens: 1, outputTokens: 1, reasoningTokens: 1e9 + 1 }, path: ["reasoningTokens"] },
    {
      raw: { prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 5e9 } },
      path: ["prompt_tokens_details", "cached_tokens"],
    },
    { raw: { promptTokenCount: 10, candidatesTokenCount: 1e12 }, path: ["candidatesTokenCount"] },
    // Parts each under the cap whose total we derive is not.
    { raw: { input_tokens: 6e8, cache_read_input_tokens: 6e8, output_tokens: 1 }, path: ["input_tokens"] },
  ])("M5: refuses $path above the cap", ({ raw, path }) => {
    expect(refusal(raw).details[0]?.path).toEqual(path);
  });

  it("M5: exactly the cap is accepted", () => {
    const { tokens } = parseUsage({ prompt_tokens: MAX_TOKENS_PER_RECORD, completion_tokens: MAX_TOKENS_PER_RECORD });
    expect(tokens).toMatchObject({ input: 1e9, output: 1e9, total: 2e9 });
  });
});

describe("parseUsage: hints only break ties", () => {
  it("plain input/output tokens are the Responses shape by default, realtime when told", () => {
    const raw = { input_tokens: 12, output_tokens: 3 };
    expect(parseUsage(raw).format).toBe("openai_responses");
    expect(parseUsage(raw, { requestType: "realtime" }).format).toBe("openai_realtime");
  });

  it("prompt_tokens without completion_tokens is embeddings unless the call was a chat", () => {
    expect(parseUsage({ prompt_tokens: 5 }).format).toBe("openai_embeddings");
    expect(parseUsage({ prompt_tokens: 5 }, { requestType: "chat" }).format).toBe("openai_chat");
    expect(parseUsage({ prompt_tokens: 5, completion_tokens: 0 }, { requestType: "embeddings" }).format).toBe("openai_embeddings");
  });

  it("field names beat a contradicting hint", () => {
    const raw = { input_tokens: 1, cache_read_input_tokens: 4, output_tokens: 1 };
    expect(parseUsage(raw, { provider: "openai", requestType: "chat" }).tokens.input).toBe(5);
  });
});

describe("parseUsage: invariants hold for anything it accepts", () => {
  const count = fc.oneof(fc.nat({ max: 5_000_000 }), fc.constant(0), fc.constant(undefined));
  const record = (keys: string[]) => fc.record(Object.fromEntries(keys.map((k) => [k, count])), { requiredKeys: [] });
  // One generator per spelling, so each reader gets its share of the runs.
  const shapes = fc.oneof(
    fc.record({
      top: record(["prompt_tokens", "completion_tokens", "total_tokens", "prompt_cache_hit_tokens"]),
      prompt_tokens_details: record(["cached_tokens", "audio_tokens", "cache_write_tokens"]),
      completion_tokens_details: record(["reasoning_tokens", "audio_tokens"]),
    }),
    fc.record({
      top: record(["input_tokens", "output_tokens"]),
      input_tokens_details: record(["cached_tokens"]),
      output_tokens_details: record(["reasoning_tokens"]),
    }),
    fc.record({
      top: record(["input_tokens", "output_tokens"]),
      input_token_details: record(["text_tokens", "audio_tokens", "cached_tokens"]),
      output_token_details: record(["text_tokens", "audio_tokens"]),
    }),
    fc.record({
      top: record(["input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"]),
      cache_creation: record(["ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens"]),
    }),
    fc.record({
      top: record(["promptTokenCount", "candidatesTokenCount", "cachedContentTokenCount", "thoughtsTokenCount", "toolUsePromptTokenCount"]),
    }),
    fc.record({
      top: record([
        "inputTokens",
        "outputTokens",
        "cachedInputTokens",
        "cacheWriteTokens",
        "reasoningTokens",
        "audioInputTokens",
        "audioOutputTokens",
      ]),
    }),
  );

  const hints = fc.constantFrom<UsageHint>({}, { provider: "anthropic" }, { requestType: "realtime" });

  it("parts never exceed totals, total = input + output, or a UsageError", () => {
    let accepted = 0;
    fc.assert(
      fc.property(shapes, hints, (shape, hint) => {
        const { top, ...details } = shape as { top: Record<string, unknown> } & Record<string, unknown>;
        let t: UsageTokens;
        try {
          t = parseUsage({ ...top, ...details }, hint).tokens;
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
          return;
        }
        accepted += 1;
        for (const v of Object.values(t)) expect(Number.isSafeInteger(v) && v >= 0).toBe(true);
        expect(t.total).toBe(t.input + t.output);
        expect(t.cachedInput + t.cacheWrite).toBeLessThanOrEqual(t.input);
        expect(t.audioInput).toBeLessThanOrEqual(t.input);
        expect(t.reasoning + t.audioOutput).toBeLessThanOrEqual(t.output);
      }),
      { numRuns: 1000 },
    );
    // The property says nothing if everything is refused.
    expect(accepted).toBeGreaterThan(200);
  });
});

describe("parseUsage: any JSON at all", () => {
  it("either reads it or throws a UsageError, never anything else", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        try {
          parseUsage(raw);
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
