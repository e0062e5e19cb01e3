// The SDK against local servers that stall, fail and recover: one row of the README's failure
// table per test (check fails open only when the server cannot answer; record/log never reject).
import { afterEach, describe, expect, it, vi } from "vitest";
import { createTokenist, TokenistError } from "@/sdk/src/index";
import { sendJson, startStub, type StubServer } from "@/sdk/test/stub-server";

const RECORD = { userId: "user_1", model: "gpt-4o-mini", usage: { prompt_tokens: 10, completion_tokens: 2 } };
const RESULT = {
  recorded: true,
  id: "evt_1",
  duplicate: false,
  costUsd: 0,
  costNanos: "0",
  tokens: {},
  model: "gpt-4o-mini",
  settledCheckId: null,
  warnings: [],
};
const DECISION = {
  allowed: true,
  labels: ["safe"],
  reason: null,
  message: null,
  retryAfterSeconds: null,
  blockedUntil: null,
  limits: [],
  actions: [],
  checkId: "chk_1",
};
const DEGRADED = {
  allowed: true,
  labels: [],
  contentLabels: [],
  reason: null,
  message: null,
  retryAfterSeconds: null,
  blockedUntil: null,
  limits: [],
  actions: [],
  checkId: null,
  degraded: true,
};
const ERROR = (code: string, message: string) => ({ error: { code, message } });

let stub: StubServer | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
  vi.unstubAllEnvs();
});
const client = (options: Parameters<typeof createTokenist>[0] = {}) =>
  createTokenist({ apiKey: "ug_test", baseUrl: stub!.url, onError: null, ...options });
/** A URL with nothing listening on it. */
async function deadUrl() {
  const s = await startStub(() => {});
  await s.close();
  return s.url;
}

describe("check: the server cannot answer → fail open (default) or throw (failOpen: false)", () => {
  it("answers the server's decision, checkId included", async () => {
    stub = await startStub((_req, res) => sendJson(res, 200, DECISION));
    expect(await client().check({ userId: "user_1" })).toEqual(DECISION);
  });

  it("timeout: degraded within timeoutMs and onError told; fail-closed throws timeout", async () => {
    stub = await startStub(() => {}); // never answers
    const onError = vi.fn();
    // The stub never answers: only the client's own timeout can end the call (code "timeout").
    expect(await client({ timeoutMs: 200, onError }).check({ userId: "user_1" })).toEqual(DEGRADED);
    expect(onError).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]![0]).toMatchObject({ code: "timeout", status: null });
    expect(onError.mock.calls[0]![1]).toEqual({ operation: "check" });
    const err = await client({ timeoutMs: 200, failOpen: false })
      .check({ userId: "user_1" })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TokenistError);
    expect(err).toMatchObject({ code: "timeout", status: null });
  });

  it("network error: degraded; fail-closed throws network_error", async () => {
    const url = await deadUrl();
    const onError = vi.fn();
    expect(await createTokenist({ apiKey: "ug_test", baseUrl: url, onError }).check({ userId: "u" })).toEqual(DEGRADED);
    expect(onError.mock.calls[0]![0]).toMatchObject({ code: "network_error", status: null });
    const closed = createTokenist({ apiKey: "ug_test", baseUrl: url, failOpen: false });
    await expect(closed.check({ userId: "u" })).rejects.toMatchObject({ code: "network_error" });
  });

  it.each([
    [503, "internal_error"],
    [500, "internal_error"],
    [429, "rate_limited"],
  ])("%i: degraded; fail-closed throws the server's code and status, never retried", async (status, code) => {
    stub = await startStub((_req, res) => sendJson(res, status, ERROR(code, "not now")));
    const onError = vi.fn();
    expect(await client({ onError }).check({ userId: "user_1" })).toEqual(DEGRADED);
    expect(onError.mock.calls[0]![0]).toMatchObject({ code, status });
    const err = await client({ failOpen: false })
      .check({ userId: "user_1" })
      .catch((e) => e);
    expect(err).toMatchObject({ name: "TokenistError", code, status, message: "not now" });
    expect(stub.requests).toHaveLength(2); // check has a latency budget: one try each
  });

  it("a 200 that is not the documented JSON (a proxy's page): degraded; fail-closed throws invalid_response", async () => {
    stub = await startStub((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>login</html>"));
    expect(await client().check({ userId: "u" })).toEqual(DEGRADED);
    await expect(client({ failOpen: false }).check({ userId: "u" })).rejects.toMatchObject({ code: "invalid_response", status: 200 });
  });
});

describe("check: a caller's mistake → TokenistError in both modes", () => {
  it.each([
    [400, "invalid_request"],
    [401, "unauthorized"],
    [403, "forbidden"],
    [402, "quota_exceeded"],
    [404, "not_found"],
    [413, "payload_too_large"],
  ])("%i %s throws, fail-open or not, and is not handed to onError", async (status, code) => {
    stub = await startStub((_req, res) => sendJson(res, status, ERROR(code, `said ${status}`)));
    for (const failOpen of [true, false]) {
      const onError = vi.fn();
      const err = await client({ failOpen, onError })
        .check({ userId: "user_1" })
        .catch((e) => e);
      expect(err).toBeInstanceOf(TokenistError);
      expect(err).toMatchObject({ code, status, message: `said ${status}`, retryable: false });
      expect(onError).not.toHaveBeenCalled();
    }
  });

  it("no API key at all: throws missing_api_key in both modes, before any request", async () => {
    vi.stubEnv("TOKENIST_API_KEY", "");
    stub = await startStub((_req, res) => sendJson(res, 200, DECISION));
    for (const failOpen of [true, false]) {
      await expect(createTokenist({ baseUrl: stub.url, failOpen }).check({ userId: "u" })).rejects.toMatchObject({
        code: "missing_api_key",
      });
    }
    expect(stub.requests).toHaveLength(0);
  });

  it("a base URL that is not http(s): throws invalid_base_url in both modes", async () => {
    for (const failOpen of [true, false]) {
      const tk = createTokenist({ apiKey: "ug_test", baseUrl: "api.tokenist.dev", failOpen });
      await expect(tk.check({ userId: "u" })).rejects.toMatchObject({ code: "invalid_base_url", status: null });
    }
  });

  it("sends the key, the JSON body and its own version header", async () => {
    stub = await startStub((_req, res) => sendJson(res, 200, DECISION));
    await client().check({ userId: "user_1", feature: "chat", input: "hi" });
    const [req] = stub.requests;
    expect(req).toMatchObject({ method: "POST", url: "/sdk/check", json: { userId: "user_1", feature: "chat", input: "hi" } });
    expect(req!.headers).toMatchObject({ authorization: "Bearer ug_test", "content-type": "application/json" });
    expect(req!.headers["x-tokenist-sdk"]).toMatch(/^js\//);
  });
});

describe("record and log: retried, then resolved (never rejected by default)", () => {
  it("succeeds after two 503s under one idempotency key, answering recorded: true", async () => {
    stub = await startStub((_req, res, n) =>
      n <= 2 ? sendJson(res, 503, ERROR("internal_error", "try again")) : sendJson(res, 200, RESULT),
    );
    expect(await client().record(RECORD)).toEqual(RESULT);
    expect(stub.requests).toHaveLength(3);
    const keys = stub.requests.map((r) => r.headers["idempotency-key"]);
    const ids = stub.requests.map((r) => (r.json as { requestId: string }).requestId);
    expect(keys[0]).toMatch(/^req_[0-9a-f-]{36}$/);
    expect(new Set([...keys, ...ids])).toEqual(new Set([keys[0]]));
  });

  it("uses the caller's requestId as the key, and honours Retry-After on 429", async () => {
    stub = await startStub((_req, res, n) =>
      n === 1 ? sendJson(res, 429, ERROR("rate_limited", "slow down"), { "retry-after": "0" }) : sendJson(res, 200, RESULT),
    );
    await client().record({ ...RECORD, requestId: "req_mine" });
    expect(stub.requests.map((r) => r.headers["idempotency-key"])).toEqual(["req_mine", "req_mine"]);
  });

  it("5xx until the retries are spent: resolves { recorded: false, error } with the key, and tells onError", async () => {
    stub = await startStub((_req, res) => sendJson(res, 502, ERROR("internal_error", "bad gateway")));
    const onError = vi.fn();
    const outcome = await client({ retries: 2, onError }).record(RECORD);
    expect(outcome).toEqual({ recorded: false, error: expect.any(TokenistError) });
    const { error } = outcome as { error: TokenistError };
    expect(error).toMatchObject({ code: "internal_error", status: 502, retryable: true });
    expect(error.requestId).toBe((stub.requests[0]!.json as { requestId: string }).requestId);
    expect(stub.requests).toHaveLength(3);
    expect(onError).toHaveBeenCalledWith(error, { operation: "record" });
  });

  it("log the same way: { logged: false, error } after retries", async () => {
    stub = await startStub((_req, res) => sendJson(res, 500, ERROR("internal_error", "down")));
    const onError = vi.fn();
    const outcome = await client({ retries: 1, onError }).log({ request: { a: 1 } });
    expect(outcome).toEqual({ logged: false, error: expect.objectContaining({ code: "internal_error", status: 500 }) });
    expect(stub.requests).toHaveLength(2);
    expect(onError).toHaveBeenCalledWith(expect.any(TokenistError), { operation: "log" });
  });

  it("timeouts and network errors: retried, then resolved with timeout / network_error", async () => {
    stub = await startStub(() => {});
    const timedOut = await client({ writeTimeoutMs: 100, retries: 1 }).record(RECORD);
    expect(timedOut).toMatchObject({ recorded: false, error: { code: "timeout", status: null } });
    expect(stub.requests).toHaveLength(2);
    const unreachable = await createTokenist({ apiKey: "ug_test", baseUrl: await deadUrl(), retries: 1, onError: null }).log({
      request: {},
    });
    expect(unreachable).toMatchObject({ logged: false, error: { code: "network_error" } });
  });

  it("a 4xx is not retried: { recorded: false, error } with code, status, message and details", async () => {
    const details = [{ path: "usage", message: "usage has no token counts we recognise" }];
    stub = await startStub((_req, res) => sendJson(res, 400, { error: { code: "invalid_request", message: "bad usage", details } }));
    const onError = vi.fn();
    const outcome = await client({ onError }).record(RECORD);
    expect(outcome).toMatchObject({ recorded: false, error: { code: "invalid_request", status: 400, message: "bad usage", details } });
    expect(outcome).not.toHaveProperty("reason");
    expect(stub.requests).toHaveLength(1);
    expect(onError).toHaveBeenCalledOnce();
  });

  it("402 quota_exceeded: { recorded: false, reason: 'quota_exceeded', error } (log likewise), not retried", async () => {
    stub = await startStub((_req, res) => sendJson(res, 402, ERROR("quota_exceeded", "The Free plan's tracked requests are used up")));
    const recorded = await client().record(RECORD);
    expect(recorded).toEqual({
      recorded: false,
      reason: "quota_exceeded",
      error: expect.objectContaining({ code: "quota_exceeded", status: 402 }),
    });
    const logged = await client().log({ request: {} });
    expect(logged).toEqual({ logged: false, reason: "quota_exceeded", error: expect.objectContaining({ status: 402 }) });
    expect(stub.requests).toHaveLength(2);
  });

  it("no API key: resolves with missing_api_key, before any request", async () => {
    vi.stubEnv("TOKENIST_API_KEY", "");
    stub = await startStub((_req, res) => sendJson(res, 200, RESULT));
    const outcome = await createTokenist({ baseUrl: stub.url, onError: null }).record(RECORD);
    expect(outcome).toMatchObject({ recorded: false, error: { code: "missing_api_key" } });
    expect(stub.requests).toHaveLength(0);
  });

  it("a body JSON cannot carry (a cycle) resolves invalid_request instead of a network error", async () => {
    stub = await startStub((_req, res) => sendJson(res, 200, RESULT));
    const metadata: Record<string, unknown> = {};
    metadata.self = metadata;
    expect(await client().record({ ...RECORD, metadata })).toMatchObject({ recorded: false, error: { code: "invalid_request" } });
    await expect(client().check({ userId: "u", input: [metadata] })).rejects.toMatchObject({ code: "invalid_request" });
    expect(stub.requests).toHaveLength(0);
  });
});

describe("throwOnError", () => {
  it("as an init option: record and log reject with the TokenistError (onError not told)", async () => {
    stub = await startStub((_req, res) => sendJson(res, 402, ERROR("quota_exceeded", "cap")));
    const onError = vi.fn();
    const tk = client({ throwOnError: true, onError });
    const err = await tk.record(RECORD).catch((e) => e);
    expect(err).toBeInstanceOf(TokenistError);
    expect(err).toMatchObject({ code: "quota_exceeded", status: 402 });
    expect(err.requestId).toBe(stub.requests[0]!.headers["idempotency-key"]);
    await expect(tk.log({ request: {} })).rejects.toMatchObject({ status: 402 });
    expect(onError).not.toHaveBeenCalled();
  });

  it("per call, either way round", async () => {
    stub = await startStub((_req, res) => sendJson(res, 401, ERROR("unauthorized", "Invalid API key")));
    await expect(client().record(RECORD, { throwOnError: true })).rejects.toMatchObject({ status: 401 });
    await expect(client().log({}, { throwOnError: true })).rejects.toMatchObject({ status: 401 });
    expect(await client({ throwOnError: true }).record(RECORD, { throwOnError: false })).toMatchObject({ recorded: false });
  });
});

describe("record: what it sends", () => {
  it("without model, usage or response: sent as is (the server takes them from the check or estimates)", async () => {
    stub = await startStub((_req, res) => sendJson(res, 200, { ...RESULT, warnings: ["usage_estimated"] }));
    const outcome = await client().record({ userId: "u", checkId: "chk_1", output: "partial answer" });
    expect(outcome).toMatchObject({ recorded: true, warnings: ["usage_estimated"] });
    expect(stub.requests[0]!.json).toEqual({
      userId: "u",
      checkId: "chk_1",
      output: "partial answer",
      requestId: expect.stringMatching(/^req_/),
    });
  });

  it("accepts untyped provider objects: usage and sentiment straight off the response", async () => {
    stub = await startStub((_req, res) => sendJson(res, 200, RESULT));
    const completion: { usage?: object; response_text?: string | null } = {
      usage: { input_tokens: 3, output_tokens: 1 },
      response_text: null,
    };
    await client().record({
      userId: "user_abc123",
      feature: "voice-assistant",
      usage: completion.usage,
      sentiment: completion.response_text,
    });
    expect(stub.requests[0]!.json).toMatchObject({ usage: { input_tokens: 3, output_tokens: 1 }, sentiment: null });
  });

  it("answers recorded: true even from a server that did not say so", async () => {
    const { recorded: _, ...older } = RESULT;
    stub = await startStub((_req, res) => sendJson(res, 200, older));
    expect(await client().record(RECORD)).toEqual(RESULT);
  });
});

describe("configuration", () => {
  it("reads TOKENIST_API_KEY and TOKENIST_BASE_URL when not given, at call time", async () => {
    stub = await startStub((_req, res) => sendJson(res, 200, RESULT));
    vi.stubEnv("TOKENIST_API_KEY", "ug_from_env");
    vi.stubEnv("TOKENIST_BASE_URL", stub.url);
    await createTokenist({ onError: null }).record(RECORD);
    expect(stub.requests[0]!.headers.authorization).toBe("Bearer ug_from_env");
  });

  it("without TOKENIST_BASE_URL it calls the hosted API, https://api.tokenist.dev", async () => {
    vi.stubEnv("TOKENIST_BASE_URL", "");
    const urls: string[] = [];
    const fetch = (async (input: RequestInfo | URL) => {
      urls.push(String(input));
      return new Response(JSON.stringify(DECISION), { status: 200 });
    }) as typeof globalThis.fetch;
    await createTokenist({ apiKey: "ug_test", fetch }).check({ userId: "u" });
    expect(urls).toEqual(["https://api.tokenist.dev/sdk/check"]);
  });

  it("rejects nonsensical options at init, not on the request path", () => {
    expect(() => createTokenist({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => createTokenist({ maxBodyBytes: -1 })).toThrow(/maxBodyBytes/);
    expect(() => createTokenist().init({ retries: -1 })).toThrow(/retries/);
  });
});
