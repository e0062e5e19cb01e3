import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { TEST_DRIVERS } from "../helpers/db";
import { signUpWithKey } from "../helpers/session";

const usage = { prompt_tokens: 100, completion_tokens: 10 };

/**
 * The `set_tier:<tier>` action over real HTTP on both databases: crossing the limit of a
 * set_tier rule allows the check and assigns the end user the tier, once (one audit row, one
 * event); later checks and records count toward the new tier's rules whatever tier the SDK
 * sends; the tier can be cleared by hand; the action is a Growth feature, refused below it.
 */
describe.each(TEST_DRIVERS)("set_tier rules over HTTP on %s", (driver) => {
  let app: RunningApp;

  const check = async (userId: string, tier: string) => {
    const res = await callApi(app, "/sdk/check", { body: { userId, tier, model: "gpt-4o-mini" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const record = async (userId: string, tier: string, checkId: string | null) => {
    const res = await callApi(app, "/sdk/record", { body: { userId, tier, model: "gpt-4o-mini", usage, checkId } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const tierChanges = async (userId: string) => {
    const res = await callApi(app, `/api/v1/audit-logs?action=end_user.tier_change&limit=100`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data.filter((r: { targetId: string }) => r.targetId === userId);
  };

  beforeAll(async () => {
    app = await startApp({ driver, env: { TOKENIST_INIT_PLAN: "growth" } });
  }, 180_000);
  afterAll(() => app?.dispose());

  it("crossing a set_tier rule upgrades the end user once; later calls match the new tier's rules", async () => {
    const upgrade = await callApi(app, "/api/v1/rules", {
      body: {
        name: "Free users past 3 calls a day become pro",
        scope: "user",
        filters: { tier: "free" },
        metric: "requests",
        window: "day",
        limit: 3,
        action: "set_tier:pro",
      },
    });
    expect(upgrade.status, JSON.stringify(upgrade.body)).toBe(201);
    expect(upgrade.body.action).toBe("set_tier:pro");
    const proLimit = await callApi(app, "/api/v1/rules", {
      body: { name: "Pro: 2 calls a day", scope: "user", filters: { tier: "pro" }, metric: "requests", window: "day", limit: 2 },
    });
    expect(proLimit.status).toBe(201);

    // Three calls as free: within the limit, nothing happens.
    for (let i = 0; i < 3; i++) {
      const c = await check("upgrader", "free");
      expect(c).toMatchObject({ allowed: true, actions: [] });
      await record("upgrader", "free", c.checkId);
    }
    // The fourth crosses it: allowed, and the action is reported.
    const crossing = await check("upgrader", "free");
    expect(crossing).toMatchObject({ allowed: true, reason: null, actions: ["set_tier:pro"] });
    const user = await callApi(app, "/api/v1/end-users/upgrader");
    expect(user.body).toMatchObject({ assignedTier: "pro", tierAssignedAt: expect.any(String) });
    // Its record counts as pro (the SDK still says free): the pro rule has used 1 of 2.
    await record("upgrader", "free", crossing.checkId);
    const next = await check("upgrader", "free");
    expect(next.allowed).toBe(true);
    expect(next.actions).toEqual([]);
    expect(next.limits).toEqual([expect.objectContaining({ ruleId: proLimit.body.id, used: 1, limit: 2 })]);
    await record("upgrader", "free", next.checkId);
    const denied = await check("upgrader", "free");
    expect(denied).toMatchObject({ allowed: false, reason: "limit_exceeded" });
    expect(denied.message).toContain("Pro: 2 calls a day");

    // One change, one audit row, whatever the checks after it.
    const changes = await tierChanges("upgrader");
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ actor: { type: "system" }, data: { from: "free", to: "pro", ruleId: upgrade.body.id } });
    const events = await callApi(app, "/api/v1/events?userId=upgrader&limit=100");
    expect(events.body.data.map((e: { tier: string }) => e.tier)).toEqual(["pro", "pro", "free", "free", "free"]);
  });

  it("a tier set by hand wins; clearing it gives the SDK's tier back; unknown users and bad bodies are refused", async () => {
    const c = await check("manual", "basic");
    await record("manual", "basic", c.checkId);
    const set = await callApi(app, "/api/v1/end-users/manual/tier", { method: "PUT", body: { tier: "enterprise" } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ changed: true, userId: "manual", from: "basic", to: "enterprise" });
    const again = await callApi(app, "/api/v1/end-users/manual/tier", { method: "PUT", body: { tier: "enterprise" } });
    expect(again.body).toMatchObject({ changed: false });
    const rule = await callApi(app, "/api/v1/rules", {
      body: { name: "Enterprise pool", scope: "tier", match: "enterprise", metric: "requests", window: "day", limit: 100 },
    });
    expect(rule.status).toBe(201);
    const asEnterprise = await check("manual", "basic");
    expect(asEnterprise.limits).toEqual([expect.objectContaining({ ruleId: rule.body.id, used: 0 })]);
    await record("manual", "basic", asEnterprise.checkId);

    const cleared = await callApi(app, "/api/v1/end-users/manual/tier", { method: "PUT", body: { tier: null } });
    expect(cleared.body).toMatchObject({ changed: true, from: "enterprise", to: null });
    const asBasic = await check("manual", "basic");
    expect(asBasic.limits).toEqual([]);
    expect((await callApi(app, "/api/v1/end-users/manual")).body.assignedTier).toBeNull();
    const audit = await tierChanges("manual");
    expect(audit.map((r: { actor: { type: string } }) => r.actor.type)).toEqual(["api_key", "api_key"]);

    const unknown = await callApi(app, "/api/v1/end-users/nobody/tier", { method: "PUT", body: { tier: "pro" } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("not_found");
    const typo = await callApi(app, "/api/v1/end-users/manual/tier", { method: "PUT", body: { teir: "pro" } });
    expect(typo.status).toBe(400);
    expect(typo.body.error.message).toContain("teir");
    const badAction = await callApi(app, "/api/v1/rules", {
      body: { name: "x", scope: "user", metric: "requests", window: "day", limit: 1, action: "set_tier:" },
    });
    expect(badAction.status).toBe(400);
  });

  it("below Growth a set_tier rule is refused (403, nothing created)", async () => {
    const starter = await signUpWithKey(app.baseUrl, `set-tier-free-${driver}@example.com`);
    const other = { baseUrl: app.baseUrl, apiKey: starter.apiKey };
    const res = await callApi(other, "/api/v1/rules", {
      body: { name: "Upgrade", scope: "user", metric: "requests", window: "day", limit: 1, action: "set_tier:pro" },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/needs the Growth plan/);
    expect((await callApi(other, "/api/v1/rules")).body.data).toEqual([]);
  });
});
