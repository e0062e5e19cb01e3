// @tokenist/guardrails against the real production server (startApp): round trips, retries
// that count once, and a bad key surfaced as TokenistError (thrown by check in every mode,
// handed back by record and log).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTokenist, TokenistError, type RecordParams, type Tokenist } from "@/sdk/src/index";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";

// gpt-4o-mini: 150 / 75 / 600 nano-dollars per input / cached input / output token.
const USAGE = { prompt_tokens: 812, completion_tokens: 95, total_tokens: 907, prompt_tokens_details: { cached_tokens: 512 } };
const TOKENS = { input: 812, cachedInput: 512, output: 95, reasoning: 0, total: 907 };
const COST_NANOS = String(300 * 150 + 512 * 75 + 95 * 600);

let app: RunningApp;
let tk: Tokenist;
beforeAll(async () => {
  app = await startApp();
  tk = createTokenist({ apiKey: app.apiKey, baseUrl: app.baseUrl, failOpen: false });
});
/** A record that must succeed: its failure fails the test with the server's own error. */
const mustRecord = (params: RecordParams) => tk.record(params, { throwOnError: true });
afterAll(async () => {
  await app?.dispose();
});

describe("round trips", () => {
  it("check: allowed with the server's own answer (not a degraded one)", async () => {
    const decision = await tk.check({
      userId: "user_rt",
      orgId: "org_42",
      feature: "support-bot",
      model: "gpt-4o",
      input: "Summarise my last invoice",
    });
    expect(decision).toMatchObject({
      allowed: true,
      labels: ["safe"],
      reason: null,
      message: null,
      retryAfterSeconds: null,
      blockedUntil: null,
      limits: [],
      actions: [],
    });
    expect(decision.checkId).toMatch(/^chk_/);
    expect(decision).not.toHaveProperty("degraded");
  });

  it("check: a blocklisted user is refused with the reason", async () => {
    const entry = await callApi(app, "/api/v1/blocklist", { body: { userId: "user_blocked", reason: "abuse" } });
    expect(entry.status).toBe(201);
    const decision = await tk.check({ userId: "user_blocked" });
    expect(decision).toMatchObject({ allowed: false, reason: "blocked", message: expect.stringContaining("user_blocked"), checkId: null });
  });

  it("record: exact tokens and cost; the same requestId again is a duplicate", async () => {
    const input = { userId: "user_rt", feature: "support-bot", model: "gpt-4o-mini", usage: USAGE, requestId: "req_sdk_rt" };
    const first = await mustRecord(input);
    expect(first).toMatchObject({
      recorded: true,
      duplicate: false,
      costNanos: COST_NANOS,
      tokens: TOKENS,
      model: "gpt-4o-mini",
      warnings: [],
    });
    const again = await mustRecord(input);
    expect(again).toMatchObject({ duplicate: true, id: first.id, costNanos: COST_NANOS, tokens: TOKENS });
  });

  it("record: whole OpenAI, Anthropic and Gemini responses as their SDKs return them", async () => {
    const openai = await mustRecord({
      userId: "user_rt",
      response: {
        object: "chat.completion",
        model: "gpt-4o-mini",
        choices: [{ index: 0, message: { role: "assistant", content: "Hi" } }],
        usage: USAGE,
      },
    });
    expect(openai).toMatchObject({ duplicate: false, tokens: TOKENS, costNanos: COST_NANOS });
    const anthropic = await mustRecord({
      userId: "user_rt",
      response: {
        type: "message",
        role: "assistant",
        model: "claude-3-5-haiku-20241022",
        content: [{ type: "text", text: "Hello" }],
        usage: { input_tokens: 30, output_tokens: 7, cache_read_input_tokens: 10, cache_creation_input_tokens: 0 },
      },
    });
    // Anthropic's cache reads sit outside input_tokens: 30 + 10.
    expect(anthropic.tokens).toMatchObject({ input: 40, cachedInput: 10, output: 7, total: 47 });
    const gemini = await mustRecord({
      userId: "user_rt",
      response: {
        candidates: [{ content: { parts: [{ text: "Hallo" }] } }],
        usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 4, totalTokenCount: 12 },
        modelVersion: "gemini-2.0-flash",
      },
    });
    expect(gemini.tokens).toMatchObject({ input: 8, output: 4, total: 12 });
  });

  it("log: answers that payload logging is off (the default of a new workspace)", async () => {
    const answer = await tk.log({ userId: "user_rt", request: { model: "gpt-4o-mini" }, response: { id: "chatcmpl-1" } });
    expect(answer).toEqual({ logged: false, reason: "payload_logging_disabled" });
  });
});

describe("a retry after a lost answer", () => {
  let proxy: http.Server;
  let proxyUrl = "";
  const keys: string[] = [];

  beforeAll(async () => {
    // Forwards to the app, but drops the first /sdk/record answer after the app has committed it.
    let dropped = false;
    proxy = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (req.url === "/sdk/record") keys.push(String(req.headers["idempotency-key"]));
      const upstream = await fetch(`${app.baseUrl}${req.url}`, {
        method: req.method,
        headers: {
          authorization: String(req.headers.authorization),
          "content-type": "application/json",
          "idempotency-key": String(req.headers["idempotency-key"] ?? ""),
        },
        body: Buffer.concat(chunks),
      });
      const text = await upstream.text();
      if (req.url === "/sdk/record" && !dropped) {
        dropped = true;
        req.socket.destroy();
        return;
      }
      res.writeHead(upstream.status, { "content-type": "application/json" }).end(text);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    proxy.closeAllConnections();
    proxy.close();
  });

  it("is answered as a duplicate and counted once in the user's usage", async () => {
    const rule = await callApi(app, "/api/v1/rules", {
      body: {
        name: "Tokens today",
        scope: "user",
        match: "user_retry",
        metric: "tokens",
        window: "day",
        limit: 1_000_000,
        action: "alert",
        enabled: true,
      },
    });
    expect(rule.status).toBe(201);
    const onError = vi.fn();
    const viaProxy = createTokenist({ apiKey: app.apiKey, baseUrl: proxyUrl, onError });
    const result = await viaProxy.record({ userId: "user_retry", model: "gpt-4o-mini", usage: USAGE }, { throwOnError: true });

    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(result).toMatchObject({ duplicate: true, tokens: TOKENS, costNanos: COST_NANOS });
    const decision = await tk.check({ userId: "user_retry" });
    expect(decision.limits).toEqual([expect.objectContaining({ ruleId: rule.body.id, metric: "tokens", used: 907 })]);
    expect(onError).not.toHaveBeenCalled();
  });
});

describe("a wrong API key", () => {
  const wrongKey = "ug_wrong_key_000000000000000000000000";

  it("record and log resolve with TokenistError 401 unauthorized (not retried) and tell onError; throwOnError rejects", async () => {
    const onError = vi.fn();
    const bad = createTokenist({ apiKey: wrongKey, baseUrl: app.baseUrl, onError });
    const outcome = await bad.record({ userId: "u", model: "gpt-4o-mini", usage: USAGE });
    expect(outcome).toEqual({ recorded: false, error: expect.any(TokenistError) });
    const { error } = outcome as { error: TokenistError };
    expect(error).toMatchObject({ code: "unauthorized", status: 401, retryable: false });
    expect(error.message).toEqual(expect.any(String));
    expect(onError).toHaveBeenCalledWith(error, { operation: "record" });
    expect(await bad.log({ request: {} })).toMatchObject({ logged: false, error: { status: 401 } });
    await expect(bad.log({ request: {} }, { throwOnError: true })).rejects.toMatchObject({ status: 401 });
  });

  it("check throws it in both modes: a bad key is the caller's to fix, not a reason to fail open", async () => {
    for (const failOpen of [false, true]) {
      const onError = vi.fn();
      const tk = createTokenist({ apiKey: wrongKey, baseUrl: app.baseUrl, failOpen, onError });
      const err = await tk.check({ userId: "u" }).catch((e) => e);
      expect(err).toBeInstanceOf(TokenistError);
      expect(err).toMatchObject({ name: "TokenistError", status: 401, code: "unauthorized" });
      expect(onError).not.toHaveBeenCalled();
    }
  });
});
