import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { signUpWithKey } from "../helpers/session";

/** One workspace's API key can never read or change another's data (over real HTTP). */
describe("workspace isolation through API keys", () => {
  let app: RunningApp;
  let a: { baseUrl: string; apiKey: string };
  let b: { baseUrl: string; apiKey: string };
  beforeAll(async () => {
    app = await startApp({ driver: process.env.TEST_DATABASE_URL ? "postgres" : "pglite" });
    const wa = await signUpWithKey(app.baseUrl, "a@example.com");
    const wb = await signUpWithKey(app.baseUrl, "b@example.com");
    a = { baseUrl: app.baseUrl, apiKey: wa.apiKey };
    b = { baseUrl: app.baseUrl, apiKey: wb.apiKey };
  }, 120_000);
  afterAll(() => app?.dispose());

  it("B cannot see, change or delete A's rules and blocklist, and A's data does not affect B", async () => {
    const rule = await callApi(a, "/api/v1/rules", {
      body: { name: "A daily", scope: "user", metric: "requests", window: "day", limit: 1, action: "block" },
    });
    expect(rule.status).toBe(201);
    const block = await callApi(a, "/api/v1/blocklist", { body: { userId: "shared_user", reason: "A's abuse" } });
    expect(block.status).toBe(201);

    const bRules = await callApi(b, "/api/v1/rules");
    expect(bRules.status).toBe(200);
    expect(bRules.body.data).toEqual([]);
    expect((await callApi(b, "/api/v1/blocklist")).body.data).toEqual([]);
    for (const [method, body] of [["GET"], ["PATCH", { limit: 1000 }], ["DELETE"]] as const) {
      const res = await callApi(b, `/api/v1/rules/${rule.body.id}`, { method, body });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    expect((await callApi(b, `/api/v1/blocklist/${block.body.id}`, { method: "DELETE" })).status).toBe(404);

    // A's rule and block still stand, unchanged.
    expect((await callApi(a, `/api/v1/rules/${rule.body.id}`)).body).toMatchObject({ limit: 1, enabled: true });
    const aCheck = await callApi(a, "/sdk/check", { body: { userId: "shared_user" } });
    expect(aCheck.body).toMatchObject({ allowed: false, reason: "blocked" });

    // The same end-user id in B is not blocked and not limited by A's rule.
    for (let i = 0; i < 3; i++) {
      const bCheck = await callApi(b, "/sdk/check", { body: { userId: "shared_user" } });
      expect(bCheck.body).toMatchObject({ allowed: true, limits: [] });
    }
  });

  it("B's records never count towards A's usage", async () => {
    const usage = { prompt_tokens: 10, completion_tokens: 5 };
    const ra = await callApi(a, "/sdk/record", { body: { userId: "u1", model: "gpt-4o-mini", usage, requestId: "same-id" } });
    const rb = await callApi(b, "/sdk/record", { body: { userId: "u1", model: "gpt-4o-mini", usage, requestId: "same-id" } });
    expect(ra.body.duplicate).toBe(false);
    // The same requestId in another workspace is its own event, not a duplicate of A's.
    expect(rb.body.duplicate).toBe(false);
    expect(rb.body.id).not.toBe(ra.body.id);
  });
});
