import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { createTestDatabaseUrl, dropTestDatabase } from "../helpers/db";
import { generateApiKey } from "@/server/services/api-keys/key-material";
import { STATE_TTL_MS } from "@/server/services/core/workspace-state";

/**
 * Once STATE_TTL_MS has passed since a change committed, a process's next check re-reads the
 * workspace's version (core/workspace-state.ts): the change is seen then, however loaded the
 * machine (a slower machine only lets more time pass). Not a race against a deadline.
 */
const pastStateTtl = () => new Promise((r) => setTimeout(r, STATE_TTL_MS + 50));

// Two app processes on one Postgres enforce one limit, and see each other's changes within
// the state's time to live (500 ms).
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
    await pastStateTtl(); // b's cached state may predate the rule
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

  it("a rule change made through one process takes effect in the other's first check after the state's TTL", async () => {
    const rule = await callApi(a, "/api/v1/rules", {
      body: { name: "Hourly", scope: "user", match: "probe_user", metric: "requests", window: "hour", limit: 1 },
    });
    const limitOf = async (app: RunningApp) =>
      (await callApi(app, "/sdk/check", { body: { userId: "probe_user" } })).body.limits.find(
        (l: { ruleId: string }) => l.ruleId === rule.body.id,
      )?.limit;
    await pastStateTtl();
    expect(await limitOf(b)).toBe(1);
    const patched = await callApi(a, `/api/v1/rules/${rule.body.id}`, { method: "PATCH", body: { limit: 7 } });
    expect(patched.status).toBe(200);
    expect(await limitOf(a)).toBe(7); // the process that made the change sees it at once
    await pastStateTtl();
    expect(await limitOf(b)).toBe(7);
  });

  it("a blocklist entry made through one process blocks in the other's first check after the state's TTL", async () => {
    const allowed = async (app: RunningApp) => (await callApi(app, "/sdk/check", { body: { userId: "troll" } })).body.allowed;
    expect(await allowed(a)).toBe(true);
    const block = await callApi(b, "/api/v1/blocklist", { body: { userId: "troll", reason: "abuse" } });
    expect(block.status).toBe(201);
    await pastStateTtl();
    expect(await allowed(a)).toBe(false);
    const unblock = await callApi(a, `/api/v1/blocklist/${block.body.id}`, { method: "DELETE" });
    expect(unblock.status).toBe(200);
    await pastStateTtl();
    expect(await allowed(b)).toBe(true);
  });
});
