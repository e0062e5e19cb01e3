// What record() reads from whole provider responses, the stream observer, and the backoff.
import { describe, expect, it } from "vitest";
import { observeStream, readResponse } from "@/sdk/src/index";
import { backoffMs, DEFAULT_RETRY } from "@/sdk/src/retry";
import { parseRetryAfter } from "@/sdk/src/transport";
import { TokenistError } from "@/sdk/src/errors";

const CHAT_USAGE = { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_tokens_details: { cached_tokens: 0 } };

describe("readResponse", () => {
  it("OpenAI Chat Completions: usage, model, choices[0].message.content", () => {
    const completion = {
      id: "chatcmpl-1",
      object: "chat.completion",
      model: "gpt-4o-mini-2024-07-18",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello!" }, finish_reason: "stop" }],
      usage: CHAT_USAGE,
    };
    expect(readResponse(completion)).toEqual({ usage: CHAT_USAGE, model: "gpt-4o-mini-2024-07-18", output: "Hello!", requestType: "chat" });
  });

  it("OpenAI Responses: output_text when the SDK added it, else the output_text parts", () => {
    const usage = { input_tokens: 20, output_tokens: 5, input_tokens_details: { cached_tokens: 0 } };
    const raw = {
      object: "response",
      model: "gpt-4.1",
      output: [
        { type: "reasoning", summary: [] },
        {
          type: "message",
          content: [
            { type: "output_text", text: "Hi " },
            { type: "output_text", text: "there" },
          ],
        },
      ],
      usage,
    };
    expect(readResponse(raw)).toEqual({ usage, model: "gpt-4.1", output: "Hi there", requestType: "responses" });
    expect(readResponse({ ...raw, output_text: "From SDK" }).output).toBe("From SDK");
  });

  it("Anthropic Messages: the text blocks, and provider anthropic (it decides how usage reads)", () => {
    const usage = { input_tokens: 30, output_tokens: 7, cache_read_input_tokens: 10, cache_creation_input_tokens: 0 };
    const message = {
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [
        { type: "thinking", thinking: "hmm" },
        { type: "text", text: "Bonjour" },
        { type: "tool_use", id: "t", name: "x", input: {} },
      ],
      usage,
    };
    expect(readResponse(message)).toEqual({ usage, model: "claude-sonnet-4-5", output: "Bonjour", provider: "anthropic" });
  });

  it("Gemini: usageMetadata, modelVersion and candidates[0] parts, also wrapped as result.response", () => {
    const usageMetadata = { promptTokenCount: 8, candidatesTokenCount: 4, totalTokenCount: 12 };
    const response = {
      candidates: [{ content: { role: "model", parts: [{ text: "Hal" }, { text: "lo" }] } }],
      usageMetadata,
      modelVersion: "gemini-2.0-flash",
    };
    const expected = { usage: usageMetadata, model: "gemini-2.0-flash", output: "Hallo" };
    expect(readResponse(response)).toEqual(expected);
    expect(readResponse({ response })).toEqual(expected);
  });

  it("embeddings and unknown objects: usage and model only", () => {
    const usage = { prompt_tokens: 5, total_tokens: 5 };
    expect(readResponse({ object: "list", data: [{ embedding: [0.1] }], model: "text-embedding-3-small", usage })).toEqual({
      usage,
      model: "text-embedding-3-small",
      requestType: "embeddings",
    });
    expect(readResponse({ foo: 1 })).toEqual({ usage: undefined, model: undefined });
  });
});

describe("observeStream", () => {
  async function* chunks() {
    yield {
      model: "m",
      choices: [
        { index: 0, delta: { content: "a" } },
        { index: 1, delta: { content: "X" } },
      ],
      usage: null,
    };
    yield { model: "m", choices: [{ index: 0, delta: { content: "b" } }], usage: null };
    yield { model: "m", choices: [], usage: CHAT_USAGE };
  }

  it("passes chunks through unchanged and reports text and usage once at the end", async () => {
    const summaries: unknown[] = [];
    const source = chunks();
    const seen: unknown[] = [];
    for await (const c of observeStream(source, (s) => summaries.push(s))) seen.push(c);
    expect(seen).toHaveLength(3);
    expect(seen[2]).toEqual({ model: "m", choices: [], usage: CHAT_USAGE });
    expect(summaries).toEqual([{ output: "ab", usage: CHAT_USAGE }]);
  });

  it("reports no usage when the reader leaves early", async () => {
    const summaries: Array<{ usage?: object }> = [];
    for await (const _ of observeStream(chunks(), (s) => summaries.push(s))) break;
    expect(summaries).toEqual([{ output: "a" }]);
  });

  it("reads Responses API events: the text deltas, and the usage of the final response", async () => {
    const usage = { input_tokens: 4, output_tokens: 2 };
    async function* events() {
      yield { type: "response.created", response: { usage: null } };
      yield { type: "response.output_text.delta", delta: "Hi" };
      yield { type: "response.output_text.delta", delta: "!" };
      yield { type: "response.completed", response: { model: "gpt-4.1", usage } };
    }
    const summaries: unknown[] = [];
    for await (const _ of observeStream(events(), (s) => summaries.push(s)));
    expect(summaries).toEqual([{ output: "Hi!", usage }]);
  });

  it("reports once, with the text so far, when the stream fails", async () => {
    async function* failing() {
      yield { choices: [{ index: 0, delta: { content: "par" } }] };
      throw new Error("connection reset");
    }
    const summaries: unknown[] = [];
    const err = await (async () => {
      for await (const _ of observeStream(failing(), (s) => summaries.push(s)));
    })().catch((e) => e);
    expect(err).toMatchObject({ message: "connection reset" });
    expect(summaries).toEqual([{ output: "par" }]);
  });
});

describe("backoff", () => {
  const error = (retryAfterSeconds: number | null = null) => new TokenistError("internal_error", "x", { status: 503, retryAfterSeconds });

  it("full jitter: a random wait below base × 2^attempt, capped", () => {
    expect(backoffMs(error(), 0, DEFAULT_RETRY, () => 0.999)).toBeLessThan(250);
    expect(backoffMs(error(), 2, DEFAULT_RETRY, () => 0.5)).toBe(500);
    expect(backoffMs(error(), 20, DEFAULT_RETRY, () => 0.999)).toBeLessThan(DEFAULT_RETRY.maxDelayMs);
    expect(backoffMs(error(), 3, DEFAULT_RETRY, () => 0)).toBe(0);
  });

  it("Retry-After wins, in seconds or as an HTTP date", () => {
    expect(backoffMs(error(2), 0, DEFAULT_RETRY)).toBe(2000);
    expect(parseRetryAfter("7")).toBe(7);
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(30);
    expect(parseRetryAfter("soon")).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});
