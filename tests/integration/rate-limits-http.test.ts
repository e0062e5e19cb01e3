import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { createTestDatabaseUrl, dropTestDatabase } from "../helpers/db";
import { generateApiKey } from "@/server/services/api-keys/key-material";

const LIMIT_MESSAGE = "Too many sign-in attempts. Try again in 15 minutes.";

/** One POST /api/auth/callback/credentials, as the sign-in form sends it. */
async function signInOnce(baseUrl: string, email: string, password: string) {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  const cookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const { url } = (await res.json()) as { url: string };
  return {
    signedIn: res.headers.getSetCookie().some((c) => c.includes("session-token")),
    error: new URL(url, baseUrl).searchParams.get("error"),
  };
}

const header = (r: { headers: Headers }, name: string) => r.headers.get(name);

// Two app processes on one Postgres enforce one sign-in limit and one /api/v1 limit, not two.
describe.runIf(process.env.TEST_DATABASE_URL)("rate limits shared by two app processes on one Postgres", () => {
  let a: RunningApp;
  let b: RunningApp;
  let databaseUrl: string;
  beforeAll(async () => {
    databaseUrl = await createTestDatabaseUrl();
    const env = {
      TOKENIST_INIT_API_KEY: generateApiKey(),
      TOKENIST_API_RATE_LIMIT: "10",
      TOKENIST_BAD_KEY_LIMIT: "6",
      TOKENIST_SDK_RATE_LIMIT: "5",
    };
    [a, b] = await Promise.all([startApp({ databaseUrl, env }), startApp({ databaseUrl, env })]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([a?.dispose(), b?.dispose()]);
    await dropTestDatabase(databaseUrl);
  });

  it("H4: 30 wrong sign-ins for one account spread over both instances are throttled as one; the 11th fails with the limit message on either", async () => {
    const errors: Array<{ app: string; error: string | null }> = [];
    for (let i = 0; i < 30; i++) {
      const [app, name] = i % 2 ? [a, "a"] : [b, "b"];
      const spelled = i % 3 === 0 ? a.email.toUpperCase() : ` ${a.email}\t`;
      const r = await signInOnce(app.baseUrl, spelled, `wrong password ${i}`);
      expect(r.signedIn).toBe(false);
      errors.push({ app: name, error: r.error });
    }
    expect(errors.slice(0, 10).map((e) => e.error)).toEqual(Array(10).fill("CredentialsSignin"));
    for (const e of errors.slice(10)) expect(e.error).toBe(LIMIT_MESSAGE);
    // The 11th went to b, the 12th to a: both instances refuse.
    expect(errors.slice(10, 12).map((e) => e.app)).toEqual(["b", "a"]);
    // Until the window passes even the right password is refused, on either instance.
    for (const app of [a, b]) expect(await signInOnce(app.baseUrl, a.email, a.password)).toEqual({ signedIn: false, error: LIMIT_MESSAGE });
  });

  it("/api/v1 with TOKENIST_API_RATE_LIMIT=10: 20 concurrent calls over both instances allow 10 in total, not 20", async () => {
    const calls = await Promise.all(Array.from({ length: 20 }, (_, i) => callApi(i % 2 ? a : b, "/api/v1/rules")));
    const ok = calls.filter((c) => c.status === 200);
    const refused = calls.filter((c) => c.status === 429);
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(10);
    // Each allowed call saw a different count: the one shared counter, not one per instance.
    expect(ok.map((c) => Number(header(c, "x-ratelimit-remaining"))).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const now = Date.now() / 1000;
    for (const c of calls) {
      expect(header(c, "x-ratelimit-limit")).toBe("10");
      expect(Number(header(c, "x-ratelimit-reset"))).toBeGreaterThan(now);
      expect(Number(header(c, "x-ratelimit-reset"))).toBeLessThanOrEqual(now + 61);
    }
    for (const c of refused) {
      expect(c.body).toEqual({
        error: { code: "rate_limited", message: "Rate limit of 10 requests per minute exceeded for this API key" },
      });
      expect(header(c, "x-ratelimit-remaining")).toBe("0");
      expect(Number(header(c, "retry-after"))).toBeGreaterThanOrEqual(1);
      expect(Number(header(c, "retry-after"))).toBeLessThanOrEqual(60);
    }
  });

  it("invalid keys from one address (TOKENIST_BAD_KEY_LIMIT=6): 6 answered 401 over both instances, then 429 on either", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await callApi(i % 2 ? a : b, "/api/v1/rules", { key: `ug_${"x".repeat(20)}${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    const refused = await callApi(a, "/api/v1/rules", { key: "ug_not_a_real_key_at_all" });
    expect(refused.body.error).toEqual({ code: "rate_limited", message: "Too many requests with invalid API keys from this address" });
    expect(Number(header(refused, "retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("the /sdk/* per-key limit stays in each process (no database round trip on /sdk/check): 5 a minute on each instance", async () => {
    const check = (app: RunningApp) => callApi(app, "/sdk/check", { body: { userId: "rate_probe" } });
    const onA = [];
    for (let i = 0; i < 6; i++) onA.push((await check(a)).status);
    expect(onA).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await check(b)).status).toBe(200);
  });
});

// The same shared limiter inside the production build on the zero-setup database.
describe("the /api/v1 limit on PGlite over HTTP", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({ env: { TOKENIST_API_RATE_LIMIT: "3" } });
  });
  afterAll(() => app?.dispose());

  it("3 calls a minute per key, then 429 with Retry-After and the X-RateLimit headers", async () => {
    const calls = [];
    for (let i = 0; i < 4; i++) calls.push(await callApi(app, "/api/v1/rules"));
    expect(calls.map((c) => c.status)).toEqual([200, 200, 200, 429]);
    expect(calls.map((c) => header(c, "x-ratelimit-remaining"))).toEqual(["2", "1", "0", "0"]);
    expect(Number(header(calls[3]!, "retry-after"))).toBeGreaterThanOrEqual(1);
    expect(calls[3]!.body.error.code).toBe("rate_limited");
  });
});
