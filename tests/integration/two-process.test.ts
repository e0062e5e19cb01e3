import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { createTestDatabaseUrl, dropTestDatabase } from "../helpers/db";
import { generateApiKey } from "@/server/services/api-keys/key-material";

/** Poll `probe` until it returns true; resolves with the milliseconds it took. */
async function timeUntil(probe: () => Promise<boolean>, timeoutMs = 5_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await probe()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`not seen within ${timeoutMs} ms`);
}

// Two app processes on one Postgres enforce one limit, and see each other's changes within a second.
describe.runIf(process.env.TEST_DATABASE_URL)("two app processes on one Postgres", () => {
  let a: RunningApp;
  let b: RunningApp;
  let databaseUrl: string;
  beforeAll(async () => {
    databaseUrl = await createTestDatabaseUrl();
    const env = { TOKENIST_INIT_API_KEY: generateApiKey() };
    [a, b] = await Promise.all([startApp({ databaseUrl, env }), startApp({ databaseUrl, env })]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([a?.dispose(), b?.dispose()]);
    await dropTestDatabase(databaseUrl);
  });

  it("200 concurrent check→record pairs spread over both processes allow exactly 20", async () => {
    const rule = await callApi(a, "/api/v1/rules", {
      body: {
        name: "Daily requests",
        scope: "user",
        match: null,
        metric: "requests",
        window: "day",
        limit: 20,
        action: "block",
        enabled: true,
      },
    });
    expect(rule.status).toBe(201);
    await new Promise((r) => setTimeout(r, 600)); // let b's cache pass its TTL once
    const pair = async (i: number) => {
      const app = i % 2 ? a : b;
      const decision = await callApi(app, "/sdk/check", { body: { userId: "shared_user" } });
      if (decision.body.allowed) {
        const rec = await callApi(app, "/sdk/record", {
          body: { userId: "shared_user", model: "gpt-4o-mini", requestId: `pair-${i}`, usage: { prompt_tokens: 10, completion_tokens: 2 } },
        });
        expect(rec.status).toBe(200);
      }
      return decision.body.allowed as boolean;
    };
    const allowed = await Promise.all(Array.from({ length: 200 }, (_, i) => pair(i)));
    expect(allowed.filter(Boolean)).toHaveLength(20);
    const denied = await callApi(b, "/sdk/check", { body: { userId: "shared_user" } });
    expect(denied.body).toMatchObject({ allowed: false, reason: "limit_exceeded" });
    expect(denied.body.limits[0]).toMatchObject({ used: 20, limit: 20 });
  });

  it("a rule change made through one process takes effect in the other within a second", async () => {
    const rule = await callApi(a, "/api/v1/rules", {
      body: { name: "Hourly", scope: "user", match: "probe_user", metric: "requests", window: "hour", limit: 1 },
    });
    const limitOf = async (app: RunningApp) =>
      (await callApi(app, "/sdk/check", { body: { userId: "probe_user" } })).body.limits.find(
        (l: { ruleId: string }) => l.ruleId === rule.body.id,
      )?.limit;
    await timeUntil(async () => (await limitOf(b)) === 1);
    const patched = await callApi(a, `/api/v1/rules/${rule.body.id}`, { method: "PATCH", body: { limit: 7 } });
    expect(patched.status).toBe(200);
    const ms = await timeUntil(async () => (await limitOf(b)) === 7);
    expect(ms).toBeLessThan(1_000);
  });

  it("a blocklist entry made through one process blocks in the other within a second", async () => {
    expect((await callApi(a, "/sdk/check", { body: { userId: "troll" } })).body.allowed).toBe(true);
    const block = await callApi(b, "/api/v1/blocklist", { body: { userId: "troll", reason: "abuse" } });
    expect(block.status).toBe(201);
    const ms = await timeUntil(async () => (await callApi(a, "/sdk/check", { body: { userId: "troll" } })).body.allowed === false);
    expect(ms).toBeLessThan(1_000);
    const unblock = await callApi(a, `/api/v1/blocklist/${block.body.id}`, { method: "DELETE" });
    expect(unblock.status).toBe(200);
    const back = await timeUntil(async () => (await callApi(b, "/sdk/check", { body: { userId: "troll" } })).body.allowed === true);
    expect(back).toBeLessThan(1_000);
  });
});
