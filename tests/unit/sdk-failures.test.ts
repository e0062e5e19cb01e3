// The SDK against local servers that stall, fail and recover: fail-open, fail-closed, retries.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createTokenist, TokenistError } from "@/sdk/src/index";
import { sendJson, startStub, type StubServer } from "@/sdk/test/stub-server";

const RECORD = { userId: "user_1", model: "gpt-4o-mini", usage: { prompt_tokens: 10, completion_tokens: 2 } };
const RESULT = { id: "evt_1", duplicate: false, costUsd: 0, costNanos: "0", tokens: {}, warnings: [] };
const ERROR = (code: string, message: string) => ({ error: { code, message } });

let stub: StubServer | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});
const client = (options: Parameters<typeof createTokenist>[0] = {}) =>
  createTokenist({ apiKey: "ug_test", baseUrl: stub!.url, onError: null, ...options });

describe("check", () => {
  it("fails open within timeoutMs when the server stalls, and reports why", async () => {
    stub = await startStub(() => {}); // never answers
    const onError = vi.fn();
    const started = performance.now();
    const decision = await client({ timeoutMs: 200, onError }).check({ userId: "user_1" });
    const elapsed = performance.now() - started;
    expect(decision).toEqual({
      allowed: true,
      labels: [],
      reason: null,
      message: null,
      retryAfterSeconds: null,
      blockedUntil: null,
      limits: [],
      actions: [],
      degraded: true,
    });
    expect(elapsed).toBeLessThan(5 * 200); // generous: it returned on its timeout, not the server's
    expect(onError).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]![0]).toMatchObject({ code: "timeout", status: null });
    expect(onError.mock.calls[0]![1]).toEqual({ operation: "check" });
  });

  it("fails closed on request: a stalled server throws TokenistError('timeout')", async () => {
    stub = await startStub(() => {});
    const err = await client({ timeoutMs: 200, failOpen: false }).check({ userId: "user_1" }).catch((e) => e);
    expect(err).toBeInstanceOf(TokenistError);
    expect(err).toMatchObject({ code: "timeout", status: null });
  });

  it("fails open on a 5xx, fails closed with the server's code and status", async () => {
    stub = await startStub((_req, res) => sendJson(res, 503, ERROR("internal_error", "down for maintenance")));
    expect(await client().check({ userId: "user_1" })).toMatchObject({ allowed: true, degraded: true });
    const err = await client({ failOpen: false }).check({ userId: "user_1" }).catch((e) => e);
    expect(err).toMatchObject({ name: "TokenistError", code: "internal_error", status: 503, message: "down for maintenance" });
    expect(stub.requests).toHaveLength(2); // check is never retried: it has a latency budget
  });

  it("a 401 fails open with the TokenistError on onError; fail-closed throws it", async () => {
    stub = await startStub((_req, res) => sendJson(res, 401, ERROR("unauthorized", "Invalid API key")));
    const onError = vi.fn();
    expect(await client({ onError }).check({ userId: "user_1" })).toMatchObject({ allowed: true, degraded: true });
    expect(onError.mock.calls[0]![0]).toMatchObject({ code: "unauthorized", status: 401, message: "Invalid API key" });
    const err = await client({ failOpen: false }).check({ userId: "user_1" }).catch((e) => e);
    expect(err).toBeInstanceOf(TokenistError);
    expect(err).toMatchObject({ code: "unauthorized", status: 401 });
  });

  it("sends the key, the JSON body and its own version header", async () => {
    stub = await startStub((_req, res) => sendJson(res, 200, { allowed: true, labels: ["safe"], limits: [], actions: [] }));
    await client().check({ userId: "user_1", feature: "chat", input: "hi" });
    const [req] = stub.requests;
    expect(req).toMatchObject({ method: "POST", url: "/sdk/check", json: { userId: "user_1", feature: "chat", input: "hi" } });
    expect(req!.headers).toMatchObject({ authorization: "Bearer ug_test", "content-type": "application/json" });
    expect(req!.headers["x-tokenist-sdk"]).toMatch(/^js\//);
  });
});

describe("record and log", () => {
  it("retries 503 twice, then succeeds, under one idempotency key", async () => {
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

  it("does not retry a 4xx: it throws TokenistError with code, status and message", async () => {
    const details = [{ path: "usage", message: "usage has no token counts we recognise" }];
    stub = await startStub((_req, res) => sendJson(res, 400, { error: { code: "invalid_request", message: "bad usage", details } }));
    const err = await client().record(RECORD).catch((e) => e);
    expect(err).toBeInstanceOf(TokenistError);
    expect(err).toMatchObject({ code: "invalid_request", status: 400, message: "bad usage", details });
    expect(err.requestId).toBe(stub.requests[0]!.headers["idempotency-key"]);
    expect(stub.requests).toHaveLength(1);
  });

  it("gives up after `retries` and throws the last error with the key to retry later", async () => {
    stub = await startStub((_req, res) => sendJson(res, 502, ERROR("internal_error", "bad gateway")));
    const err = await client({ retries: 2 }).log({ request: { a: 1 } }).catch((e) => e);
    expect(err).toMatchObject({ code: "internal_error", status: 502, retryable: true });
    expect(stub.requests).toHaveLength(3);
    expect(err.requestId).toBe((stub.requests[0]!.json as { requestId: string }).requestId);
  });

  it("retries a network error (nothing listening) and then throws network_error", async () => {
    stub = await startStub(() => {});
    const url = stub.url;
    await stub.close();
    stub = undefined;
    const tk = createTokenist({ apiKey: "ug_test", baseUrl: url, retries: 1, onError: null });
    await expect(tk.record(RECORD)).rejects.toMatchObject({ code: "network_error", status: null });
    expect(await tk.check({ userId: "user_1" })).toMatchObject({ degraded: true });
  });

  it("refuses a record without model or usage before any request", async () => {
    stub = await startStub((_req, res) => sendJson(res, 200, RESULT));
    // @ts-expect-error – usage is required unless a response is given
    const err = await client().record({ userId: "u", model: "gpt-4o" }).catch((e) => e);
    expect(err).toMatchObject({ code: "invalid_request", status: null });
    expect(stub.requests).toHaveLength(0);
  });
});

describe("configuration", () => {
  it("reads TOKENIST_API_KEY and TOKENIST_BASE_URL when not given, at call time", async () => {
    stub = await startStub((_req, res) => sendJson(res, 200, RESULT));
    vi.stubEnv("TOKENIST_API_KEY", "ug_from_env");
    vi.stubEnv("TOKENIST_BASE_URL", stub.url);
    try {
      await createTokenist({ onError: null }).record(RECORD);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(stub.requests[0]!.headers.authorization).toBe("Bearer ug_from_env");
  });

  it("without any key, check fails open with missing_api_key and record throws it", async () => {
    vi.stubEnv("TOKENIST_API_KEY", "");
    try {
      const onError = vi.fn();
      const tk = createTokenist({ baseUrl: "http://127.0.0.1:9", onError });
      expect(await tk.check({ userId: "u" })).toMatchObject({ degraded: true });
      expect(onError.mock.calls[0]![0]).toMatchObject({ code: "missing_api_key" });
      await expect(tk.record(RECORD)).rejects.toMatchObject({ code: "missing_api_key" });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("rejects nonsensical options at init, not on the request path", () => {
    expect(() => createTokenist({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => createTokenist().init({ retries: -1 })).toThrow(/retries/);
  });
});
