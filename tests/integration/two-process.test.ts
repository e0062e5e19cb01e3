import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { createTestDatabaseUrl, dropTestDatabase } from "../helpers/db";
import { generateApiKey } from "@/server/services/api-keys/key-material";

/**
 * Wait until `probe` holds: a process re-reads the workspace's version once its cached state is
 * older than STATE_TTL_MS (core/workspace-state.ts), so the other process's change shows up in one
 * of its next checks. The condition is waited for, not a time; the timeout only ends a wait for
 * a change that never arrives. How soon it arrives is the mechanism's (500 ms), not this test's.
 * Polls every 100 ms: a probe check that is allowed holds a reservation, so a few polls per
 * wait keep the probed users far from the daily limit of the first test's rule.
 */
const seen = (probe: () => Promise<unknown>) =>
  vi.waitFor(async () => expect(await probe()).toBe(true), { timeout: 30_000, interval: 100 });

// Two app processes on one Postgres enforce one limit, and see each other's changes.
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
    // b's cached state may predate the rule: wait until b's checks carry it (probed with another user).
    await seen(async () =>
      (await callApi(b, "/sdk/check", { body: { userId: "rule_probe" } })).body.limits.some(
        (l: { ruleId: string }) => l.ruleId === rule.body.id,
      ),
    );
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

  it("a rule change made through one process takes effect in the other", async () => {
    const rule = await callApi(a, "/api/v1/rules", {
      body: { name: "Hourly", scope: "user", match: "probe_user", metric: "requests", window: "hour", limit: 1 },
    });
    const limitOf = async (app: RunningApp) =>
      (await callApi(app, "/sdk/check", { body: { userId: "probe_user" } })).body.limits.find(
        (l: { ruleId: string }) => l.ruleId === rule.body.id,
      )?.limit;
    await seen(async () => (await limitOf(b)) === 1);
    expect(await limitOf(b)).toBe(1);
    const patched = await callApi(a, `/api/v1/rules/${rule.body.id}`, { method: "PATCH", body: { limit: 7 } });
    expect(patched.status).toBe(200);
    expect(await limitOf(a)).toBe(7); // the process that made the change sees it at once
    await seen(async () => (await limitOf(b)) === 7);
    expect(await limitOf(b)).toBe(7);
  });

  it("a blocklist entry made through one process blocks in the other", async () => {
    const allowed = async (app: RunningApp) => (await callApi(app, "/sdk/check", { body: { userId: "troll" } })).body.allowed;
    expect(await allowed(a)).toBe(true);
    const block = await callApi(b, "/api/v1/blocklist", { body: { userId: "troll", reason: "abuse" } });
    expect(block.status).toBe(201);
    await seen(async () => (await allowed(a)) === false);
    expect(await allowed(a)).toBe(false);
    const unblock = await callApi(a, `/api/v1/blocklist/${block.body.id}`, { method: "DELETE" });
    expect(unblock.status).toBe(200);
    await seen(async () => (await allowed(b)) === true);
    expect(await allowed(b)).toBe(true);
  });
});
