// withGuardrails() around the real `openai` client, talking to a local OpenAI-compatible server,
// recording into the real app: a streamed completion is recorded with its exact usage, and one
// left early is recorded all the same (estimated).
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTokenist, TokenistBlockedError, type Tokenist } from "@/sdk/src/index";
import { sendJson, startStub, type StubServer } from "@/sdk/test/stub-server";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";

const USAGE = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 };
const chunk = (content: string | null, extra: object = {}) => ({
  id: "chatcmpl-s1",
  object: "chat.completion.chunk",
  created: 1_764_000_000,
  model: "gpt-4o-mini-2024-07-18",
  choices: content === null ? [] : [{ index: 0, delta: { content }, finish_reason: null }],
  ...extra,
});
/** What the server streams: three deltas, then (when asked for) the usage chunk. */
const served = (includeUsage: boolean) => [
  chunk("Hel", includeUsage ? { usage: null } : {}),
  chunk("lo", includeUsage ? { usage: null } : {}),
  chunk("!", includeUsage ? { usage: null } : {}),
  ...(includeUsage ? [chunk(null, { usage: USAGE })] : []),
];

let app: RunningApp;
let llm: StubServer;
let openai: OpenAI;
let tk: Tokenist;
const onError = vi.fn();

beforeAll(async () => {
  app = await startApp();
  llm = await startStub((req, res) => {
    const body = req.json as { stream?: boolean; stream_options?: { include_usage?: boolean } };
    if (!body.stream) {
      const message = { role: "assistant", content: "Hello!", refusal: null };
      return sendJson(res, 200, {
        id: "chatcmpl-1",
        object: "chat.completion",
        created: 1,
        model: "gpt-4o-mini-2024-07-18",
        choices: [{ index: 0, message, finish_reason: "stop" }],
        usage: USAGE,
      });
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    for (const c of served(body.stream_options?.include_usage === true)) res.write(`data: ${JSON.stringify(c)}\n\n`);
    res.end("data: [DONE]\n\n");
  });
  openai = new OpenAI({ baseURL: `${llm.url}/v1`, apiKey: "test", maxRetries: 0 });
  tk = createTokenist({ apiKey: app.apiKey, baseUrl: app.baseUrl, onError });
});
afterAll(async () => {
  await llm?.close();
  await app?.dispose();
});

/** Sends the same requestId again: the answer is the first record's, with its tokens. */
const recorded = (requestId: string) => tk.record({ requestId, model: "gpt-4o-mini", usage: { prompt_tokens: 1, completion_tokens: 1 } });

describe("withGuardrails(openai).chat.completions.create", () => {
  it("streams every chunk through unchanged and records the usage of the final chunk", async () => {
    const requestId = "req_stream_1";
    const guarded = tk.withGuardrails(openai, { userId: "user_stream", feature: "chat", requestId });
    const stream = await guarded.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Say hello" }],
      stream: true,
    });
    const received: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) received.push(c);

    expect(received).toEqual(served(true));
    expect(llm.requests.at(-1)!.json).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    await tk.flush();
    const again = await recorded(requestId);
    expect(again).toMatchObject({ duplicate: true, tokens: { input: 9, output: 3, total: 12 }, costNanos: String(9 * 150 + 3 * 600) });
    expect(onError).not.toHaveBeenCalled();
  });

  it("records a non-streamed completion from the response and returns it as is", async () => {
    const requestId = "req_plain_1";
    const completion = await tk
      .withGuardrails(openai, { userId: "user_stream", requestId })
      .chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
    expect(completion.choices[0]!.message.content).toBe("Hello!");
    await tk.flush();
    expect(await recorded(requestId)).toMatchObject({ duplicate: true, tokens: { input: 9, output: 3, total: 12 } });
  });

  it("throws TokenistBlockedError for a blocked user, without calling the model", async () => {
    expect((await callApi(app, "/api/v1/blocklist", { body: { userId: "user_banned", reason: "abuse" } })).status).toBe(201);
    const calls = llm.requests.length;
    const err = await tk
      .withGuardrails(openai, { userId: "user_banned" })
      .chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], stream: true })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TokenistBlockedError);
    expect(err).toMatchObject({ reason: "blocked", decision: { allowed: false } });
    expect(llm.requests.length).toBe(calls);
  });

  it("a reader that leaves before the usage chunk: still recorded, its tokens estimated by the server", async () => {
    const requestId = "req_left_early";
    const stream = await tk
      .withGuardrails(openai, { userId: "user_stream", requestId })
      .chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], stream: true });
    for await (const _ of stream) break;
    await tk.flush();
    expect(onError).not.toHaveBeenCalled();
    // The same id again is a duplicate: the early exit was recorded.
    expect(await recorded(requestId)).toMatchObject({ recorded: true, duplicate: true, model: "gpt-4o-mini" });
  });
});
