import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { TEST_DRIVERS } from "../helpers/db";
import { signUpWithKey } from "../helpers/session";
import { prng } from "@/scripts/seed/demo-data";

const HOUR = 3_600_000;
const DAY = 86_400_000;
const usage = { prompt_tokens: 1000, completion_tokens: 100 };

/**
 * Shadow mode for rules over real HTTP on both databases: a shadow rule over generated traffic
 * would have denied exactly what the same rule enforced denies, without changing one answer;
 * the 7-day replay of a hand-built history equals the hand-computed expectation (rolling hour,
 * calendar day, cost over a pooled day, a filtered rule read from events); and the refusals.
 */
describe.each(TEST_DRIVERS)("rule shadow mode and 7-day preview over HTTP on %s", (driver) => {
  let app: RunningApp;
  let n = 0;
  const workspace = async (name: string) => ({
    baseUrl: app.baseUrl,
    apiKey: (await signUpWithKey(app.baseUrl, `shadow-${name}-${driver}-${n++}@example.com`)).apiKey,
  });
  const createRule = async (w: { baseUrl: string; apiKey: string }, body: Record<string, unknown>) => {
    const res = await callApi(w, "/api/v1/rules", { body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; mode: string };
  };

  beforeAll(async () => {
    app = await startApp({ driver });
  }, 180_000);
  afterAll(() => app?.dispose());

  it("a shadow rule would have denied exactly what the same rule enforced denies, and changes no answer", async () => {
    const shadowWs = await workspace("s");
    const enforceWs = await workspace("e");
    const rule = { name: "5 a day each", scope: "user", metric: "requests", window: "day", limit: 5, action: "block" };
    const shadow = await createRule(shadowWs, { ...rule, mode: "shadow" });
    expect(shadow.mode).toBe("shadow");
    const enforced = await createRule(enforceWs, rule);
    expect(enforced.mode).toBe("enforce");

    // Six end users, 1 to 12 calls each, interleaved in a seeded random order.
    const random = prng(21);
    const users = ["u0", "u1", "u2", "u3", "u4", "u5"];
    const traffic = users.flatMap((u) => Array.from({ length: 1 + Math.floor(random() * 12) }, () => u));
    for (let i = traffic.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [traffic[i], traffic[j]] = [traffic[j]!, traffic[i]!];
    }
    expect(new Set(traffic).size).toBe(users.length);

    const deniedBy = new Map<string, number>();
    let i = 0;
    for (const userId of traffic) {
      for (const w of [shadowWs, enforceWs]) {
        const check = await callApi(w, "/sdk/check", { body: { userId, feature: "chat", model: "gpt-4o-mini", estimatedTokens: 500 } });
        expect(check.status, JSON.stringify(check.body)).toBe(200);
        if (w === shadowWs) {
          // The shadow rule never changes the answer: allowed, no trace of it in limits or actions.
          expect(check.body).toMatchObject({ allowed: true, reason: null, actions: [] });
          expect(check.body.limits).toEqual([]);
        } else if (!check.body.allowed) {
          expect(check.body.reason).toBe("limit_exceeded");
          deniedBy.set(userId, (deniedBy.get(userId) ?? 0) + 1);
          continue;
        }
        const record = await callApi(w, "/sdk/record", {
          body: { userId, checkId: check.body.checkId, model: "gpt-4o-mini", usage, requestId: `r${i++}` },
        });
        expect(record.status, JSON.stringify(record.body)).toBe(200);
      }
    }
    const enforcedDenials = [...deniedBy.values()].reduce((a, b) => a + b, 0);
    expect(enforcedDenials).toBeGreaterThan(0); // some users went over the limit

    const res = await callApi(shadowWs, `/api/v1/rules/${shadow.id}/shadow`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      ruleId: shadow.id,
      mode: "shadow",
      checks: traffic.length,
      wouldDeny: enforcedDenials,
      endUsers: deniedBy.size,
    });
    const expectedTop = [...deniedBy.entries()]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      .map(([userId, wouldDeny]) => ({ userId, wouldDeny }));
    expect(res.body.top.map((t: { userId: string; wouldDeny: number }) => ({ userId: t.userId, wouldDeny: t.wouldDeny }))).toEqual(
      expectedTop,
    );
    // The would-have-denied calls are priced at their estimate (gpt-4o-mini has a catalogue price).
    expect(res.body.wouldDenyCostUsd).toBeGreaterThan(0);
    // `limit` cuts the list; a range before the traffic counts nothing.
    const one = await callApi(shadowWs, `/api/v1/rules/${shadow.id}/shadow?limit=1`);
    expect(one.body.top).toEqual([expect.objectContaining(expectedTop[0]!)]);
    const before = new Date(Date.now() - 3 * DAY).toISOString();
    const old = await callApi(
      shadowWs,
      `/api/v1/rules/${shadow.id}/shadow?from=${before}&to=${new Date(Date.now() - 2 * DAY).toISOString()}`,
    );
    expect(old.body).toMatchObject({ checks: 0, wouldDeny: 0, endUsers: 0, top: [] });
    // The enforce rule, evaluated nowhere in shadow, has nothing recorded.
    const none = await callApi(enforceWs, `/api/v1/rules/${enforced.id}/shadow`);
    expect(none.body).toMatchObject({ mode: "enforce", checks: 0, wouldDeny: 0 });

    // Switching the rule to enforce makes it decide: the users over the limit are denied now.
    const top = expectedTop[0]!.userId;
    const patched = await callApi(shadowWs, `/api/v1/rules/${shadow.id}`, { method: "PATCH", body: { mode: "enforce" } });
    expect(patched.body.mode).toBe("enforce");
    const denied = await callApi(shadowWs, "/sdk/check", { body: { userId: top, feature: "chat", model: "gpt-4o-mini" } });
    expect(denied.body).toMatchObject({ allowed: false, reason: "limit_exceeded" });
    // Both changes are audited with the mode.
    const audit = await callApi(shadowWs, `/api/v1/audit-logs?targetType=rule`);
    if (audit.status === 200) {
      const actions = audit.body.data.map((a: { action: string; data: { mode?: string } }) => [a.action, a.data?.mode]);
      expect(actions).toEqual(
        expect.arrayContaining([
          ["rule.create", "shadow"],
          ["rule.update", "enforce"],
        ]),
      );
    }
  }, 240_000);

  it("the 7-day replay of a hand-built history equals the hand-computed estimate", async () => {
    const w = await workspace("p");
    // UTC midnight of today; calls on days D-4..D-2 sit on whole hours (compaction to hours changes nothing),
    // those of D-1 are under 48 h old and keep their minutes.
    const D = Math.floor(Date.now() / DAY) * DAY;
    const at = (day: number, h: number, m = 0) => new Date(D - day * DAY + h * HOUR + m * 60_000).toISOString();
    const history: Array<[string, string, number, string[]?]> = [
      ["u2", at(4, 5), 6],
      ["u1", at(3, 23), 3],
      ["u1", at(2, 0), 3],
      ["u1", at(2, 12), 2],
      ["u1", at(1, 10, 10), 2, ["search", "search"]],
      ["u1", at(1, 10, 40), 2, ["search", "chat"]],
      ["u3", at(1, 10, 40), 1, ["search"]],
      ["u1", at(1, 11, 10), 3],
    ];
    let i = 0;
    for (const [userId, timestamp, count, features] of history) {
      for (let k = 0; k < count; k++) {
        const res = await callApi(w, "/sdk/record", {
          body: { userId, model: "gpt-4o-mini", usage, timestamp, feature: features?.[k] ?? "chat", requestId: `h${i++}` },
        });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      }
    }
    const unit = await callApi(w, "/api/v1/end-users/u3");
    const unitNanos = BigInt(Math.round(unit.body.costUsd * 1e9));
    expect(unitNanos).toBeGreaterThan(0n);

    const preview = async (body: Record<string, unknown>) => {
      const res = await callApi(w, "/api/v1/rules/preview", { body: { name: "preview", action: "block", ...body } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.estimate).toBe(true);
      return res.body;
    };
    const top = (body: { top: Array<{ userId: string; wouldDeny: number }> }) => body.top.map((t) => [t.userId, t.wouldDeny]);

    // Rolling hour, 3 requests each: u2's 6 at once → 3 denied; u1: 10:40 has 1 of room (1 denied),
    // 11:10 has 2 (10:10 aged out: 1 denied). 22 calls.
    const hour = await preview({ scope: "user", metric: "requests", window: "hour", limit: 3 });
    expect(hour).toMatchObject({ by: "user", checks: 22, wouldDeny: 5, endUsers: 2 });
    expect(top(hour)).toEqual([
      ["u2", 3],
      ["u1", 2],
    ]);

    // Calendar day, 4 each: u1 D-2 has 3 + 2 → 1 denied; D-1 has 2 + 2 + 3 → 3 denied; u2 6 → 2 denied.
    const day = await preview({ scope: "user", metric: "requests", window: "calendar_day", limit: 4 });
    expect(day).toMatchObject({ checks: 22, wouldDeny: 6, endUsers: 2 });
    expect(top(day)).toEqual([
      ["u1", 4],
      ["u2", 2],
    ]);

    // The workspace's cost over a rolling 24 h, room for 2 calls: D-4 05:00 6 → 4 denied; D-3 23:00 3 → 1;
    // D-2 00:00 and 12:00 (still within 24 h of 23:00) → 3 + 2; D-1 10:10 2 allowed, then 3 + 3 denied: 16.
    const limitUsd = Number(2n * unitNanos + unitNanos / 2n) / 1e9;
    const cost = await preview({ scope: "workspace", metric: "cost_usd", window: "day", limit: limitUsd });
    expect(cost).toMatchObject({ by: "workspace", checks: 22, wouldDeny: 16, endUsers: 1 });
    expect(top(cost)).toEqual([["", 16]]);
    expect(BigInt(cost.wouldDenyCostNanos)).toBe(16n * unitNanos);

    // A filtered rule (from events): 1 search call an hour each: u1 10:10 2 → 1 denied, 10:40 → denied; u3 allowed.
    const search = await preview({ scope: "user", metric: "requests", window: "hour", limit: 1, filters: { feature: "search" } });
    expect(search).toMatchObject({ checks: 4, wouldDeny: 2, endUsers: 1 });
    expect(top(search)).toEqual([["u1", 2]]);
    // One user (match): only u2's calls.
    const one = await preview({ scope: "user", match: "u2", metric: "requests", window: "hour", limit: 3 });
    expect(one).toMatchObject({ checks: 6, wouldDeny: 3 });

    // Nothing was saved.
    const rules = await callApi(w, "/api/v1/rules");
    expect(rules.body.data).toEqual([]);
  }, 240_000);

  it("refuses another workspace's rule, bad ranges and unknown fields", async () => {
    const a = await workspace("ra");
    const b = await workspace("rb");
    const theirs = await createRule(b, { name: "b", scope: "user", metric: "requests", window: "day", limit: 5, mode: "shadow" });
    const foreign = await callApi(a, `/api/v1/rules/${theirs.id}/shadow`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("not_found");
    expect((await callApi(a, "/api/v1/rules/rul_missing/shadow")).status).toBe(404);

    const mine = await createRule(a, { name: "a", scope: "user", metric: "requests", window: "day", limit: 5, mode: "shadow" });
    const bad = await callApi(a, `/api/v1/rules/${mine.id}/shadow?from=yesterday`);
    expect(bad.status).toBe(400);
    const now = Date.now();
    const reversed = await callApi(
      a,
      `/api/v1/rules/${mine.id}/shadow?from=${new Date(now).toISOString()}&to=${new Date(now - DAY).toISOString()}`,
    );
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.message).toMatch(/from must be before to/);
    expect((await callApi(a, `/api/v1/rules/${mine.id}/shadow?limit=0`)).status).toBe(400);

    const base = { name: "p", scope: "user", metric: "requests", window: "day", limit: 5 };
    const unknown = await callApi(a, "/api/v1/rules/preview", { body: { ...base, limitt: 5 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/limitt/);
    expect((await callApi(a, "/api/v1/rules/preview", { body: { ...base, mode: "loud" } })).status).toBe(400);
    expect((await callApi(a, "/api/v1/rules/preview", { body: { ...base, filters: { segment: "seg_nope" } } })).status).toBe(400);
    // `preview` is its own route, not a rule id.
    const asRule = await callApi(a, "/api/v1/rules/preview");
    expect(asRule.status).not.toBe(200);
    const ok = await callApi(a, "/api/v1/rules/preview", { body: base });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ estimate: true, checks: 0, wouldDeny: 0, endUsers: 0, top: [] });
  }, 120_000);
});
