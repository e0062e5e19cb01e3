import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/db/client";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { outboxDrained } from "../helpers/outbox";
import { priceLlmCall } from "@/server/services/intent/track-llm-cost";
import { type ChatRequest, startFakeOpenAI } from "../helpers/fake-openai";

const labelled = (r: ChatRequest) => {
  const content = r.body.messages[1]!.content;
  return JSON.parse(content.slice(content.indexOf("{"))).labelled_turn as { user_message: string | null; assistant_reply: string | null };
};

// The REST door of the setting and the worker of the running app: text reaches the LLM masked
// until PATCH /api/v1/workspace sets llmLabelRawText, and a `sentiment`-only record is labelled.
// On Postgres: the test reads the running app's outbox to know when its background work is done.
describe.runIf(process.env.TEST_DATABASE_URL)("the LLM labeller's raw-text setting over HTTP", () => {
  let app: RunningApp;
  let database: Database;
  let openai: Awaited<ReturnType<typeof startFakeOpenAI>>;
  beforeAll(async () => {
    openai = await startFakeOpenAI();
    openai.setFallback({ status: 200, answer: { labels: [{ label: "frustration", confidence: 0.8, reason: "Annoyed." }] } });
    app = await startApp({
      driver: "postgres",
      env: { OPENAI_API_KEY: "sk-http-raw", OPENAI_BASE_URL: openai.baseUrl, TOKENIST_INTENT_MODEL: "gpt-4o-mini" },
    });
    database = await openDatabase({ url: app.databaseUrl!, max: 2 });
  }, 180_000);
  afterAll(async () => {
    await database?.close();
    await app?.dispose();
    await openai?.close();
  });

  const record = (requestId: string, body: Record<string, unknown>) =>
    callApi(app, "/sdk/record", {
      body: { userId: "gail", model: "gpt-4o-mini", usage: { prompt_tokens: 9, completion_tokens: 1 }, requestId, ...body },
    });

  it("is off by default and masks; PATCH turns it on and the next turn goes raw; output-only records are labelled", async () => {
    const before = await callApi(app, "/api/v1/workspace");
    expect(before.body).toMatchObject({ llmLabelRawText: false });
    // Stored text unmasked, so masking is the labeller's doing.
    expect((await callApi(app, "/api/v1/workspace", { method: "PATCH", body: { redactPayloads: false } })).status).toBe(200);

    const said = "Still broken!! Reach me at gail@example.com or +44 20 7946 0958.";
    expect((await record("raw-1", { input: said, output: "Sorry." })).status).toBe(200);
    await outboxDrained(database.db);
    expect(openai.requests).toHaveLength(1);
    expect(labelled(openai.requests[0]!)).toEqual({
      user_message: "Still broken!! Reach me at [email] or [phone].",
      assistant_reply: "Sorry.",
    });

    const patched = await callApi(app, "/api/v1/workspace", { method: "PATCH", body: { llmLabelRawText: true } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ llmLabelRawText: true, redactPayloads: false });
    expect((await callApi(app, "/api/v1/workspace")).body).toMatchObject({ llmLabelRawText: true });
    expect((await record("raw-2", { input: said, output: "Sorry." })).status).toBe(200);
    await outboxDrained(database.db);
    expect(openai.requests).toHaveLength(2);
    expect(labelled(openai.requests[1]!)).toEqual({ user_message: said, assistant_reply: "Sorry." });

    expect((await record("raw-3", { sentiment: "I understand this is frustrating; let me try again." })).status).toBe(200);
    await outboxDrained(database.db);
    expect(openai.requests).toHaveLength(3);
    expect(labelled(openai.requests[2]!)).toEqual({
      user_message: null,
      assistant_reply: "I understand this is frustrating; let me try again.",
    });

    const bad = await callApi(app, "/api/v1/workspace", { method: "PATCH", body: { llmLabelRawText: "yes" } });
    expect(bad.status).toBe(400);

    // The three calls' cost, as the Labels page shows it, through GET /api/v1/usage/labels/llm-cost.
    const cost = async () => (await callApi(app, "/api/v1/usage/labels/llm-cost")).body;
    const perCall = priceLlmCall({
      model: "gpt-4o-mini",
      usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
      at: new Date(),
    });
    expect(perCall.priced).toBe(true);
    expect(await cost()).toMatchObject({
      configured: true,
      model: "gpt-4o-mini",
      calls: 3,
      promptTokens: 300,
      completionTokens: 60,
      costNanos: String(3n * perCall.costNanos),
      byModel: [{ model: "gpt-4o-mini", calls: 3 }],
    });
    expect((await callApi(app, "/api/v1/usage/labels/llm-cost?from=2026-02-01&to=2026-01-01")).status).toBe(400);
  });
});
