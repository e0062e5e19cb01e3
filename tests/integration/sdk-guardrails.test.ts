// withGuardrails() end to end: the real `openai` client talks to a local OpenAI stand-in, wrapped
// by the SDK, which checks and records against the real app. What a rule asks for happens to the
// call, a denial is typed and stops it, and every call made (a stream left early included) is an
// event read back through the management API.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTokenist, TokenistBlockedError, type Tokenist } from "@/sdk/src/index";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { STANDIN_USAGE, startOpenAIStandIn } from "../helpers/openai-standin";

let app: RunningApp;
let llm: Awaited<ReturnType<typeof startOpenAIStandIn>>;
let openai: OpenAI;
let tk: Tokenist;
const onError = vi.fn();

beforeAll(async () => {
  app = await startApp();
  llm = await startOpenAIStandIn();
  openai = new OpenAI({ baseURL: llm.baseUrl, apiKey: "test", maxRetries: 0 });
  // Fail-closed: a check that could not reach the app must fail the test, not pass degraded.
  tk = createTokenist({ apiKey: app.apiKey, baseUrl: app.baseUrl, failOpen: false, onError });
});
afterAll(async () => {
  await llm?.close();
  await app?.dispose();
});

interface EventRow {
  model: string;
  requestType: string | null;
  feature: string | null;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}
/** The end user's recorded calls, newest first. */
async function events(userId: string): Promise<EventRow[]> {
  const res = await callApi(app, `/api/v1/events?userId=${encodeURIComponent(userId)}`);
  expect(res.status).toBe(200);
  return res.body.data;
}
const MESSAGES = [{ role: "user" as const, content: "Say hello" }];

describe("what the decision asks for", () => {
  it("downgrade_model: the stand-in is called with gpt-4o-mini, and the event says gpt-4o-mini", async () => {
    const rule = await callApi(app, "/api/v1/rules", {
      body: {
        name: "Heavy users: small model",
        scope: "user",
        match: "user_down",
        metric: "tokens",
        window: "day",
        limit: 1,
        action: "downgrade_model:gpt-4o-mini",
      },
    });
    expect(rule.status).toBe(201);
    const guarded = tk.withGuardrails(openai, { userId: "user_down", feature: "assistant", estimatedTokens: 500 });
    const completion = await guarded.chat.completions.create({ model: "gpt-4o", messages: MESSAGES });
    expect(completion.choices[0]!.message.content).toBe("Hello there, friend!");
    expect(llm.requests.at(-1)!.body.model).toBe("gpt-4o-mini");
    await tk.flush();
    expect(await events("user_down")).toEqual([
      expect.objectContaining({ model: "gpt-4o-mini", requestType: "chat", feature: "assistant", inputTokens: 9, outputTokens: 7 }),
    ]);
    expect(onError).not.toHaveBeenCalled();
  });

  it("a blocklisted end user: TokenistBlockedError, the stand-in is not called, nothing is recorded", async () => {
    expect((await callApi(app, "/api/v1/blocklist", { body: { userId: "user_banned", reason: "abuse" } })).status).toBe(201);
    const calls = llm.requests.length;
    const err = await tk
      .withGuardrails(openai, { userId: "user_banned" })
      .responses.create({ model: "gpt-4.1", input: "hello" })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TokenistBlockedError);
    expect(err).toMatchObject({ reason: "blocked", decision: { allowed: false, checkId: null } });
    expect(llm.requests.length).toBe(calls);
    await tk.flush();
    expect(await events("user_banned")).toEqual([]);
  });
});

describe("every API is recorded", () => {
  it("responses.create, plain and streamed, and embeddings.create", async () => {
    const guarded = tk.withGuardrails(openai, { userId: "user_apis", feature: "search" });
    const response = await guarded.responses.create({ model: "gpt-4o-mini", instructions: "Be brief.", input: "Say hello" });
    expect(response.output_text).toBe("Hello there, friend!");
    const stream = await guarded.responses.create({ model: "gpt-4o-mini", input: "Say hello", stream: true });
    for await (const _ of stream);
    const embedding = await guarded.embeddings.create({ model: "text-embedding-3-small", input: ["first doc", "second doc"] });
    expect(embedding.data).toHaveLength(1);
    await tk.flush();

    const rows = await events("user_apis");
    const { input_tokens, output_tokens } = STANDIN_USAGE.responses;
    expect(rows.filter((e) => e.requestType === "responses")).toEqual([
      expect.objectContaining({ model: "gpt-4o-mini", feature: "search", inputTokens: input_tokens, outputTokens: output_tokens }),
      expect.objectContaining({ model: "gpt-4o-mini", feature: "search", inputTokens: input_tokens, outputTokens: output_tokens }),
    ]);
    expect(rows.filter((e) => e.requestType === "embeddings")).toEqual([
      expect.objectContaining({ model: "text-embedding-3-small", inputTokens: STANDIN_USAGE.embeddings.prompt_tokens, outputTokens: 0 }),
    ]);
    expect(onError).not.toHaveBeenCalled();
  });

  it("a stream left after 3 chunks is recorded all the same (no usage came: the server estimates)", async () => {
    const stream = await tk
      .withGuardrails(openai, { userId: "user_abandon", feature: "assistant" })
      .chat.completions.create({ model: "gpt-4o-mini", messages: MESSAGES, stream: true }, { headers: { "x-standin-hold": "1" } });
    let n = 0;
    for await (const _ of stream) if (++n === 3) break;
    await tk.flush();
    const rows = await events("user_abandon");
    expect(rows).toEqual([expect.objectContaining({ model: "gpt-4o-mini", requestType: "chat", feature: "assistant" })]);
    expect(rows[0]!.totalTokens).toBeGreaterThan(0); // estimated, never counted as nothing
    expect(onError).not.toHaveBeenCalled();
  });
});

describe("check → record by hand", () => {
  it("a record with the check's checkId settles that check and takes its model", async () => {
    const decision = await tk.check({ userId: "user_settle", feature: "assistant", model: "gpt-4o-mini" });
    expect(decision.checkId).toMatch(/^chk_/);
    const result = await tk.record(
      { userId: "user_settle", checkId: decision.checkId, usage: { prompt_tokens: 100, completion_tokens: 20 } },
      { throwOnError: true },
    );
    expect(result).toMatchObject({
      recorded: true,
      model: "gpt-4o-mini",
      settledCheckId: decision.checkId,
      tokens: { input: 100, output: 20 },
    });
  });

  it("the product page's snippet: check, then record with the usage and text only", async () => {
    await tk.check({ userId: "user_abc123", feature: "voice-assistant", model: "gpt-4o-mini" });
    const completion = await openai.responses.create({ model: "gpt-4o-mini", input: "hello" });
    const outcome = await tk.record({
      userId: "user_abc123",
      feature: "voice-assistant",
      usage: completion.usage,
      sentiment: completion.output_text,
    });
    expect(outcome).toMatchObject({ recorded: true, model: "gpt-4o-mini", settledCheckId: expect.stringMatching(/^chk_/) });
  });
});
