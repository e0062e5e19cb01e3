import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { calcPrice } from "@pydantic/genai-prices";
import { parseUsage, UsageError, type UsageHint, type UsageTokens } from "@/server/services/core/usage";
import { formatNanos, nanosToUsd, priceCall, toCatalogUsage, usdToNanos, type CustomPrice } from "@/server/services/core/pricing";

// Reading the hand sums: a price of $P per million tokens is P × 1000 nano-dollars per
// token, so "$0.15/MTok" bills 150 nanos a token and "$0.075/MTok" 75.
const AT = new Date("2025-11-01T12:00:00Z");

/** The library's float total must agree with our integers to within half a nano per component. */
function expectMatchesLibrary(model: string, provider: string | null, tokens: UsageTokens, detail: object, costNanos: bigint) {
  const usage = toCatalogUsage(tokens, detail);
  const lib = calcPrice(usage, model, { providerId: provider ?? undefined, timestamp: AT });
  expect(lib).not.toBeNull();
  expect(Math.abs(Number(costNanos) / 1e9 - lib!.total_price)).toBeLessThanOrEqual(1e-9 * 10);
}

type Case = {
  name: string;
  model: string;
  provider?: string;
  hint?: UsageHint;
  usage: Record<string, unknown>;
  matchedModel: string;
  nanos: number;
};

const cases: Case[] = [
  {
    // gpt-4o-mini: $0.15 input, $0.075 cached input, $0.60 output per MTok (openai.com/api/pricing)
    name: "OpenAI chat with cached prompt (the API.md example)",
    model: "gpt-4o-mini",
    usage: { prompt_tokens: 812, completion_tokens: 95, total_tokens: 907, prompt_tokens_details: { cached_tokens: 512 } },
    matchedModel: "gpt-4o-mini",
    nanos: 300 * 150 + 512 * 75 + 95 * 600, // 140_400 = $0.0001404
  },
  {
    // gpt-5: $1.25 input, $0.125 cached, $10 output per MTok; reasoning billed as output (openai.com/api/pricing)
    name: "OpenAI chat, gpt-5 reasoning tokens inside completion_tokens",
    model: "gpt-5-2025-08-07",
    usage: {
      prompt_tokens: 1000,
      completion_tokens: 3000,
      total_tokens: 4000,
      completion_tokens_details: { reasoning_tokens: 2500 },
    },
    matchedModel: "gpt-5",
    nanos: 1000 * 1250 + 3000 * 10_000, // the 2500 reasoning tokens are inside the 3000, billed once
  },
  {
    // o4-mini: $1.10 input, $0.275 cached, $4.40 output per MTok (openai.com/api/pricing)
    name: "OpenAI Responses, o4-mini with cached input and reasoning",
    model: "o4-mini",
    usage: {
      input_tokens: 2000,
      input_tokens_details: { cached_tokens: 1024 },
      output_tokens: 1500,
      output_tokens_details: { reasoning_tokens: 1200 },
      total_tokens: 3500,
    },
    matchedModel: "o4-mini",
    nanos: 976 * 1100 + 1024 * 275 + 1500 * 4400, // 7_955_200
  },
  {
    // gpt-4o-realtime-preview: text $5 in / $2.50 cached / $20 out; audio $40 in / $2.50 cached / $80 out
    // per MTok (openai.com/api/pricing, gpt-4o-realtime-preview-2024-12-17)
    name: "OpenAI Realtime, text/audio split with cached audio",
    model: "gpt-4o-realtime-preview-2024-12-17",
    usage: {
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
    matchedModel: "gpt-4o-realtime-preview",
    nanos:
      100 * 5000 + // uncached text in
      200 * 2500 + // cached text in
      400 * 40_000 + // uncached audio in
      800 * 2500 + // cached audio in
      100 * 20_000 + // text out
      500 * 80_000, // audio out → 61_000_000
  },
  {
    // gpt-realtime: text $4 in / $0.40 cached / $16 out; audio $32 in / $0.40 cached / $64 out per MTok
    // (openai.com/api/pricing). No cached_tokens_details: the 300 text tokens are all that can be
    // cached text, so 700 of the 1000 cached tokens must be audio.
    name: "OpenAI Realtime without cached split (gpt-realtime)",
    model: "gpt-realtime",
    usage: {
      input_tokens: 1500,
      output_tokens: 600,
      input_token_details: { text_tokens: 300, audio_tokens: 1200, cached_tokens: 1000 },
      output_token_details: { text_tokens: 100, audio_tokens: 500 },
    },
    matchedModel: "gpt-realtime",
    nanos: 300 * 400 + 700 * 400 + 500 * 32_000 + 100 * 16_000 + 500 * 64_000, // 50_000_000
  },
  {
    // gpt-audio: text $2.50 in / $10 out; audio $32 in / $64 out per MTok (openai.com/api/pricing)
    name: "OpenAI chat with audio tokens (gpt-audio)",
    model: "gpt-audio",
    usage: {
      prompt_tokens: 1200,
      completion_tokens: 800,
      prompt_tokens_details: { audio_tokens: 1000 },
      completion_tokens_details: { audio_tokens: 700 },
    },
    matchedModel: "gpt-audio",
    nanos: 200 * 2500 + 1000 * 32_000 + 100 * 10_000 + 700 * 64_000, // 78_300_000
  },
  {
    // text-embedding-3-small: $0.02 per MTok (openai.com/api/pricing). Less than one micro-dollar.
    name: "OpenAI embeddings, sub-micro-dollar call",
    model: "text-embedding-3-small",
    usage: { prompt_tokens: 7, total_tokens: 7 },
    matchedModel: "text-embedding-3-small",
    nanos: 7 * 20, // 140 nano-dollars
  },
  {
    // text-embedding-3-large: $0.13 per MTok (openai.com/api/pricing)
    name: "OpenAI embeddings, larger model",
    model: "text-embedding-3-large",
    hint: { requestType: "embeddings" },
    usage: { prompt_tokens: 1000, total_tokens: 1000 },
    matchedModel: "text-embedding-3-large",
    nanos: 1000 * 130,
  },
  {
    // Claude Sonnet 4: $3 input, $3.75 5-minute cache write, $0.30 cache read, $15 output per MTok
    // (claude.com/pricing)
    name: "Anthropic, cache read and cache write",
    model: "claude-sonnet-4-20250514",
    usage: { input_tokens: 100, cache_read_input_tokens: 5000, cache_creation_input_tokens: 2000, output_tokens: 400 },
    matchedModel: "claude-sonnet-4-0",
    nanos: 100 * 3000 + 5000 * 300 + 2000 * 3750 + 400 * 15_000, // 15_300_000
  },
  {
    // Claude Sonnet 4: 5-minute cache write $3.75, 1-hour cache write $6 per MTok (claude.com/pricing)
    name: "Anthropic, 5-minute and 1-hour cache writes",
    model: "claude-sonnet-4-20250514",
    usage: {
      input_tokens: 100,
      cache_creation_input_tokens: 2000,
      cache_creation: { ephemeral_5m_input_tokens: 500, ephemeral_1h_input_tokens: 1500 },
      output_tokens: 400,
    },
    matchedModel: "claude-sonnet-4-0",
    nanos: 100 * 3000 + 500 * 3750 + 1500 * 6000 + 400 * 15_000, // 17_175_000
  },
  {
    // Claude Haiku 3.5: $0.80 input, $1 cache write, $0.08 cache read, $4 output per MTok (claude.com/pricing)
    name: "Anthropic, Haiku 3.5 with both caches",
    model: "claude-3-5-haiku-20241022",
    usage: { input_tokens: 1000, cache_read_input_tokens: 2000, cache_creation_input_tokens: 3000, output_tokens: 500 },
    matchedModel: "claude-3-5-haiku-latest",
    nanos: 1000 * 800 + 2000 * 80 + 3000 * 1000 + 500 * 4000, // 5_960_000
  },
  {
    // Claude Sonnet 4.5, prompts > 200K input tokens: $6 input, $0.60 cache read, $22.50 output per MTok
    // (claude.com/pricing, long context). 150k uncached + 60k cache read = 210k > 200k.
    name: "Anthropic long-context tier, chosen by all input tokens",
    model: "claude-sonnet-4-5-20250929",
    usage: { input_tokens: 150_000, cache_read_input_tokens: 60_000, output_tokens: 1000 },
    matchedModel: "claude-sonnet-4-5",
    nanos: 150_000 * 6000 + 60_000 * 600 + 1000 * 22_500, // 958_500_000
  },
  {
    // Claude Sonnet 4.5, prompts ≤ 200K: $3 input, $0.30 cache read, $15 output (exactly 200k is not "over")
    name: "Anthropic at exactly 200k input stays on the base tier",
    model: "claude-sonnet-4-5-20250929",
    usage: { input_tokens: 140_000, cache_read_input_tokens: 60_000, output_tokens: 1000 },
    matchedModel: "claude-sonnet-4-5",
    nanos: 140_000 * 3000 + 60_000 * 300 + 1000 * 15_000, // 453_000_000
  },
  {
    // Gemini 2.5 Flash: $0.30 text input, $0.03 cached, $2.50 output including thinking per MTok
    // (ai.google.dev/gemini-api/docs/pricing)
    name: "Gemini with cached content and thoughts",
    model: "gemini-2.5-flash",
    usage: {
      promptTokenCount: 10_000,
      cachedContentTokenCount: 8000,
      candidatesTokenCount: 500,
      thoughtsTokenCount: 1500,
      totalTokenCount: 12_000,
    },
    matchedModel: "gemini-2.5-flash",
    nanos: 2000 * 300 + 8000 * 30 + (500 + 1500) * 2500, // 5_840_000
  },
  {
    // Gemini 2.5 Flash: $0.30 text input, $1.00 audio input, $2.50 output per MTok (ai.google.dev/gemini-api/docs/pricing)
    name: "Gemini with audio input by modality",
    model: "gemini-2.5-flash",
    provider: "google",
    usage: {
      promptTokenCount: 1000,
      promptTokensDetails: [
        { modality: "TEXT", tokenCount: 400 },
        { modality: "AUDIO", tokenCount: 600 },
      ],
      candidatesTokenCount: 200,
    },
    matchedModel: "gemini-2.5-flash",
    nanos: 400 * 300 + 600 * 1000 + 200 * 2500, // 1_220_000
  },
  {
    // Gemini 2.5 Pro, prompts > 200k tokens: $2.50 input, $15 output (incl. thinking) per MTok
    // (ai.google.dev/gemini-api/docs/pricing)
    name: "Gemini long-context tier (snake_case spelling)",
    model: "gemini-2.5-pro",
    usage: { prompt_token_count: 250_000, candidates_token_count: 1000, thoughts_token_count: 500 },
    matchedModel: "gemini-2.5-pro",
    nanos: 250_000 * 2500 + 1500 * 15_000, // 647_500_000
  },
  {
    // gpt-4o-mini again: $0.15 / $0.075 cached / $0.60 per MTok (openai.com/api/pricing)
    name: "normalised shape",
    model: "gpt-4o-mini",
    usage: { inputTokens: 1000, cachedInputTokens: 400, outputTokens: 200 },
    matchedModel: "gpt-4o-mini",
    nanos: 600 * 150 + 400 * 75 + 200 * 600, // 240_000
  },
];

const usageOf = (name: string) => cases.find((c) => c.name === name)!.usage;

describe("priceCall: catalog prices, checked by hand against published prices", () => {
  it.each(cases)("$name", ({ model, provider, hint, usage, matchedModel, nanos }) => {
    const { tokens, detail } = parseUsage(usage, { provider, ...hint });
    const result = priceCall({ model, provider, tokens, detail, at: AT });
    expect(result.priced).toBe(true);
    expect(result.source).toBe("catalog");
    expect(result.matchedModel).toBe(matchedModel);
    expect(result.costNanos).toBe(BigInt(nanos));
    const parts = Object.values(result.breakdown).reduce((a, b) => a + b, 0n);
    expect(parts).toBe(result.costNanos);
    expectMatchesLibrary(model, result.provider, tokens, detail, result.costNanos);
  });

  it("splits the bill by rate: reasoning without its own rate is billed as output", () => {
    const { tokens } = parseUsage(usageOf("OpenAI Responses, o4-mini with cached input and reasoning"));
    const { breakdown } = priceCall({ model: "o4-mini", tokens, at: AT });
    expect(breakdown).toEqual({
      input: 976n * 1100n,
      cachedInput: 1024n * 275n,
      cacheWrite: 0n,
      audioInput: 0n,
      output: 1500n * 4400n,
      reasoning: 0n,
      audioOutput: 0n,
      requests: 0n,
    });
  });

  it("without parseUsage's detail, cached audio is estimated the same way", () => {
    const { tokens, detail } = parseUsage(usageOf("OpenAI Realtime without cached split (gpt-realtime)"));
    expect(priceCall({ model: "gpt-realtime", tokens, at: AT }).costNanos).toBe(
      priceCall({ model: "gpt-realtime", tokens, detail, at: AT }).costNanos,
    );
  });
});

describe("priceCall: historic prices", () => {
  // o3: $10 input / $40 output per MTok at launch; $2 / $8 from 2025-06-10 (OpenAI's o3 price cut).
  const tokens = parseUsage({ input_tokens: 1000, output_tokens: 1000 }).tokens;

  it("uses the price in force at the call's time", () => {
    const before = priceCall({ model: "o3", tokens, at: new Date("2025-06-09T23:59:59Z") });
    const after = priceCall({ model: "o3", tokens, at: new Date("2025-06-10T00:00:00Z") });
    expect(before.costNanos).toBe(BigInt(1000 * 10_000 + 1000 * 40_000)); // $0.05
    expect(after.costNanos).toBe(BigInt(1000 * 2000 + 1000 * 8000)); // $0.01
  });

  it("refuses an invalid date instead of guessing one", () => {
    expect(() => priceCall({ model: "o3", tokens, at: new Date("nope") })).toThrow(RangeError);
  });
});

describe("priceCall: custom prices", () => {
  const tokens = parseUsage({ inputTokens: 1000, cachedInputTokens: 400, outputTokens: 200 }).tokens;

  it("win over the catalog, matched case-insensitively, and missing rates fall back to input/output", () => {
    const customPrices: CustomPrice[] = [
      { model: "some-other-model", inputPerMTokNanos: 1n, outputPerMTokNanos: 1n },
      {
        model: "GPT-4o-Mini",
        inputPerMTokNanos: 100_000_000n,
        cachedInputPerMTokNanos: null,
        outputPerMTokNanos: 400_000_000n,
      },
    ];
    const result = priceCall({ model: "gpt-4o-mini", tokens, at: AT, customPrices });
    expect(result.source).toBe("custom");
    expect(result.priced).toBe(true);
    expect(result.matchedModel).toBe("GPT-4o-Mini");
    expect(result.provider).toBe("openai");
    // $0.10 in (cached too: no cached rate set), $0.40 out per MTok
    expect(result.costNanos).toBe(BigInt(1000 * 100 + 200 * 400));
  });

  it("price a model the catalog does not know, every rate in use", () => {
    const all = parseUsage({
      inputTokens: 1000,
      cachedInputTokens: 200,
      cacheWriteTokens: 100,
      audioInputTokens: 300,
      outputTokens: 500,
      reasoningTokens: 100,
      audioOutputTokens: 200,
    });
    const price: CustomPrice = {
      model: "acme-llm-1",
      inputPerMTokNanos: 1_000_000_000n, // $1
      cachedInputPerMTokNanos: 100_000_000n, // $0.10
      cacheWritePerMTokNanos: 1_250_000_000n, // $1.25
      outputPerMTokNanos: 2_000_000_000n, // $2
      reasoningPerMTokNanos: 3_000_000_000n, // $3
      audioInputPerMTokNanos: 10_000_000_000n, // $10
      audioOutputPerMTokNanos: 20_000_000_000n, // $20
    };
    const result = priceCall({ model: "acme-llm-1", ...all, at: AT, customPrices: [price] });
    expect(result.breakdown).toEqual({
      input: 400n * 1000n, // 1000 − 200 cached − 100 written − 300 audio
      cachedInput: 200n * 100n,
      cacheWrite: 100n * 1250n,
      audioInput: 300n * 10_000n,
      output: 200n * 2000n, // 500 − 100 reasoning − 200 audio
      reasoning: 100n * 3000n,
      audioOutput: 200n * 20_000n,
      requests: 0n,
    });
    expect(result.costNanos).toBe(8_245_000n);
  });
});

describe("priceCall: unknown models and provider inference", () => {
  const tokens = parseUsage({ prompt_tokens: 1000, completion_tokens: 0 }).tokens;

  it("an unknown model costs 0 and says so", () => {
    const result = priceCall({ model: "acme-llm-unknown", tokens, at: AT });
    expect(result).toMatchObject({ costNanos: 0n, priced: false, source: null, matchedModel: null, provider: null });
  });

  it("finds embeddings that the library's own provider matching misses", () => {
    expect(calcPrice({}, "text-embedding-3-small")).toBeNull();
    expect(priceCall({ model: "text-embedding-3-small", tokens, at: AT })).toMatchObject({
      provider: "openai",
      costNanos: 20_000n,
    });
  });

  it("reads gateway-style provider/model names and survives an unknown provider name", () => {
    expect(priceCall({ model: "openai/gpt-4o-mini", tokens, at: AT })).toMatchObject({
      matchedModel: "gpt-4o-mini",
      costNanos: 150_000n,
    });
    expect(priceCall({ model: "gpt-4o-mini", provider: "my-gateway", tokens, at: AT })).toMatchObject({
      provider: "openai",
      costNanos: 150_000n,
    });
  });

  it("keeps a known provider's own price list", () => {
    const result = priceCall({ model: "claude-sonnet-4-20250514", provider: "bedrock", tokens, at: AT });
    expect(result.provider).toBe("aws");
    expect(result.costNanos).toBe(3_000_000n); // $3/MTok on Bedrock too
  });

  it("refuses counts that are not counts", () => {
    const broken = { ...tokens, output: -1 };
    expect(() => priceCall({ model: "gpt-4o-mini", tokens: broken, at: AT })).toThrow(UsageError);
  });
});

describe("rounding", () => {
  const custom = (nanosPerMTok: bigint): CustomPrice[] => [
    { model: "m", inputPerMTokNanos: nanosPerMTok, outputPerMTokNanos: nanosPerMTok },
  ];
  const cost = (input: number, output: number, rate: bigint) =>
    priceCall({
      model: "m",
      tokens: parseUsage({ inputTokens: input, outputTokens: output }).tokens,
      at: AT,
      customPrices: custom(rate),
    });

  it("rounds each component half up to the nano-dollar", () => {
    // $0.0375/MTok = 37.5 nanos a token
    expect(cost(1, 0, 37_500_000n).costNanos).toBe(38n); // 37.5 → 38
    expect(cost(2, 0, 37_500_000n).costNanos).toBe(75n);
    expect(cost(3, 0, 37_500_000n).costNanos).toBe(113n); // 112.5 → 113
    // $0.0004/MTok = 0.4 nanos a token
    expect(cost(1, 0, 400_000n).costNanos).toBe(0n); // 0.4 → 0
    expect(cost(2, 0, 400_000n).costNanos).toBe(1n); // 0.8 → 1
  });

  it("rounds per component, not once per call", () => {
    // 0.5 nanos of input and 0.5 of output: each rounds up on its own.
    const result = cost(1, 1, 500_000n);
    expect(result.breakdown.input).toBe(1n);
    expect(result.breakdown.output).toBe(1n);
    expect(result.costNanos).toBe(2n);
  });

  it("reads catalog floats through their decimal spelling", () => {
    expect(usdToNanos(1.1)).toBe(1_100_000_000n); // 1.1 * 1e9 is 1100000000.0000002 in floats
    expect(usdToNanos(0.075)).toBe(75_000_000n);
    expect(usdToNanos(0.0375)).toBe(37_500_000n);
    expect(usdToNanos(22.5)).toBe(22_500_000_000n);
    expect(usdToNanos(1e-7)).toBe(100n);
    expect(usdToNanos(5e-10)).toBe(1n);
    expect(usdToNanos(2.5e-10)).toBe(0n);
    expect(usdToNanos(1e21)).toBe(10n ** 30n);
    expect(usdToNanos(0)).toBe(0n);
    expect(() => usdToNanos(-1)).toThrow(RangeError);
    expect(() => usdToNanos(Number.NaN)).toThrow(RangeError);
  });
});

describe("nanosToUsd and formatNanos", () => {
  it("formats exact decimal dollars", () => {
    expect(formatNanos(183_000n)).toBe("0.000183");
    expect(formatNanos(140n)).toBe("0.00000014");
    expect(formatNanos(0n)).toBe("0");
    expect(formatNanos(5_000_000_000n)).toBe("5");
    expect(formatNanos(1_500_000_001n)).toBe("1.500000001");
    expect(formatNanos(-140n)).toBe("-0.00000014");
    expect(formatNanos(123_456_789_012_345_678_901n)).toBe("123456789012.345678901");
  });

  it("gives the JSON number whose shortest spelling is the exact amount", () => {
    expect(nanosToUsd(183_000n)).toBe(0.000183);
    expect(nanosToUsd(140n)).toBe(1.4e-7);
    expect(nanosToUsd(0n)).toBe(0);
    expect(String(nanosToUsd(999_999_999_999_999n))).toBe("999999.999999999");
  });
});

describe("priceCall agrees with genai-prices' own float maths", () => {
  const models = [
    "gpt-4o-mini",
    "gpt-4o-realtime-preview",
    "gpt-audio",
    "claude-sonnet-4-5",
    "claude-3-5-haiku-latest",
    "gemini-2.5-flash",
    "gemini-2.5-pro",
  ];
  const n = fc.nat({ max: 400_000 });

  it("within half a nano-dollar per billed component", () => {
    fc.assert(
      fc.property(fc.constantFrom(...models), n, n, n, n, n, n, (model, input, cached, audio, output, reasoning, audioOut) => {
        const i = input + cached + audio;
        const o = output + reasoning + audioOut;
        const { tokens, detail } = parseUsage({
          inputTokens: i,
          cachedInputTokens: cached,
          audioInputTokens: audio,
          outputTokens: o,
          reasoningTokens: reasoning,
          audioOutputTokens: audioOut,
        });
        const ours = priceCall({ model, tokens, detail, at: AT });
        expectMatchesLibrary(model, ours.provider, tokens, detail, ours.costNanos);
      }),
      { numRuns: 300 },
    );
  });
});
