import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { outbox } from "@/db/schema";
import type { TCheckInput } from "@/server/contract/sdk";
import type { ServiceCtx } from "@/server/services/context";
import { checkAccess } from "@/server/services/guardrails/check-access";
import { createBlock } from "@/server/services/blocklist/manage-blocklist";
import { createRule, updateRule } from "@/server/services/guardrails/manage-rules";
import { recordEvent } from "@/server/services/metering/record-event";
import { queryUsage } from "@/server/services/usage/query-usage";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const usage = { prompt_tokens: 100, completion_tokens: 20 };
let seq = 0;

describe.each(TEST_DRIVERS)("guardrails on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database.close());

  const workspace = async () => (await createTestWorkspace(database.db)).ctx;
  const check = (ctx: ServiceCtx, input: TCheckInput, now: Date) => checkAccess({ ctx, input, now });
  /** The SDK's flow: check, then (when allowed) record at the same moment. */
  const call = async (ctx: ServiceCtx, input: TCheckInput & { tokens?: number }, now: Date) => {
    const decision = await check(ctx, input, now);
    if (decision.allowed) {
      await recordEvent({
        ctx,
        now,
        input: {
          ...input,
          model: input.model ?? "gpt-4o-mini",
          requestId: `r${++seq}`,
          timestamp: now.toISOString(),
          usage: input.tokens ? { inputTokens: input.tokens, outputTokens: 0 } : usage,
        },
      });
    }
    return decision;
  };

  it.each([
    ["minute", MIN],
    ["hour", HOUR],
    ["day", DAY],
  ] as const)("a rolling %s window frees capacity exactly when a call ages out", async (window, length) => {
    const ctx = await workspace();
    await createRule({ ctx, input: { name: "rolling", scope: "user", metric: "requests", window, limit: 2 } });
    const t0 = new Date(Math.floor((Date.now() - 30 * HOUR) / MIN) * MIN + 10_000); // 10 s into a minute
    expect((await call(ctx, { userId: "u" }, t0)).allowed).toBe(true);
    expect((await call(ctx, { userId: "u" }, new Date(t0.getTime() + 20_000))).allowed).toBe(true);
    const bucketStart = t0.getTime() - 10_000;
    const justBefore = new Date(bucketStart + length - 1_000);
    const denied = await check(ctx, { userId: "u" }, justBefore);
    expect(denied).toMatchObject({ allowed: false, reason: "limit_exceeded", retryAfterSeconds: 1 });
    expect(denied.limits[0]).toMatchObject({ used: 2, limit: 2, remaining: 0, resetsAt: new Date(bucketStart + length).toISOString() });
    expect(denied.message).toMatch(/limit of 2 requests reached for user u/);
    const atExpiry = await check(ctx, { userId: "u" }, new Date(bucketStart + length));
    expect(atExpiry).toMatchObject({ allowed: true, reason: null });
    expect(atExpiry.limits[0]).toMatchObject({ used: 0, remaining: 2 }); // both calls shared the minute that aged out
  });

  it("a calendar day resets at 00:00 UTC", async () => {
    const ctx = await workspace();
    await createRule({ ctx, input: { name: "daily", scope: "user", metric: "requests", window: "calendar_day", limit: 1 } });
    const day = new Date(Date.now() - 3 * DAY);
    const midnight = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1);
    await call(ctx, { userId: "u" }, new Date(midnight - 10 * MIN));
    const denied = await check(ctx, { userId: "u" }, new Date(midnight - 1_000));
    expect(denied).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    expect(denied.limits[0]!.resetsAt).toBe(new Date(midnight).toISOString());
    expect((await check(ctx, { userId: "u" }, new Date(midnight))).allowed).toBe(true);
  });

  it("a calendar month resets at 00:00 UTC on the 1st", async () => {
    const ctx = await workspace();
    await createRule({ ctx, input: { name: "monthly", scope: "workspace", metric: "requests", window: "calendar_month", limit: 3 } });
    const now = new Date();
    const first = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1); // the last reset before today
    for (const [i, user] of ["a", "b", "c"].entries()) await call(ctx, { userId: user }, new Date(first - (30 - i) * MIN));
    const denied = await check(ctx, { userId: "d" }, new Date(first - 1_000));
    expect(denied).toMatchObject({ allowed: false, reason: "limit_exceeded" });
    expect(denied.limits[0]).toMatchObject({ used: 3, resetsAt: new Date(first).toISOString() });
    expect((await check(ctx, { userId: "d" }, new Date(first))).allowed).toBe(true);
  });

  it.each([
    ["user (every end user)", { scope: "user", match: null }, { userId: "alice" }, { userId: "bob" }],
    ["user (one)", { scope: "user", match: "alice" }, { userId: "alice" }, { userId: "bob" }],
    ["org (every org)", { scope: "org", match: null }, { userId: "x", orgId: "o1" }, { userId: "x", orgId: "o2" }],
    ["org (one)", { scope: "org", match: "o1" }, { userId: "y", orgId: "o1" }, { userId: "y", orgId: "o2" }],
    ["feature", { scope: "feature", match: "chat" }, { userId: "z", feature: "chat" }, { userId: "z", feature: "search" }],
    ["tier", { scope: "tier", match: "free" }, { userId: "w", tier: "free" }, { userId: "w", tier: "pro" }],
  ] as const)("scope %s limits its subject only", async (_, scope, limited, other) => {
    const ctx = await workspace();
    await createRule({ ctx, input: { name: "one a day", metric: "requests", window: "day", limit: 1, ...scope } });
    const now = new Date();
    expect((await call(ctx, limited, now)).allowed).toBe(true);
    expect(await check(ctx, limited, now)).toMatchObject({ allowed: false, reason: "limit_exceeded" });
    expect((await call(ctx, other, now)).allowed).toBe(true);
  });

  it("scope workspace counts every end user together", async () => {
    const ctx = await workspace();
    await createRule({ ctx, input: { name: "ws", scope: "workspace", metric: "requests", window: "hour", limit: 2 } });
    const now = new Date();
    await call(ctx, { userId: "a" }, now);
    await call(ctx, { userId: "b" }, now);
    expect(await check(ctx, { userId: "c" }, now)).toMatchObject({ allowed: false });
  });

  it("actions: alert fires once per window, require_reauth and downgrade_model are soft", async () => {
    const ctx = await workspace();
    const alert = await createRule({
      ctx,
      input: { name: "heads-up", scope: "user", metric: "requests", window: "day", limit: 1, action: "alert" },
    });
    await createRule({
      ctx,
      input: { name: "reauth", scope: "user", metric: "requests", window: "day", limit: 2, action: "require_reauth" },
    });
    await createRule({
      ctx,
      input: { name: "cheaper", scope: "user", metric: "requests", window: "day", limit: 2, action: "downgrade_model:gpt-4o-mini" },
    });
    const now = new Date();
    expect(await call(ctx, { userId: "u" }, now)).toMatchObject({ allowed: true, actions: [] });
    const second = await call(ctx, { userId: "u" }, now);
    expect(second).toMatchObject({ allowed: true, actions: [] });
    for (let i = 0; i < 3; i++) {
      const third = await call(ctx, { userId: "u" }, now);
      expect(third.allowed).toBe(true);
      expect(third.actions.sort()).toEqual(["downgrade_model:gpt-4o-mini", "require_reauth"]);
    }
    const crossed = await database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.workspaceId, ctx.workspaceId), eq(outbox.name, "tokenist/limit.crossed")));
    expect(crossed).toHaveLength(1);
    expect(crossed[0]!.payload).toMatchObject({ sourceId: alert.id, threshold: "100%", subject: { dimension: "user", key: "u" } });
  });

  it("token and cost limits reserve the estimate and settle on record", async () => {
    const ctx = await workspace();
    await createRule({ ctx, input: { name: "tokens", scope: "user", metric: "tokens", window: "day", limit: 1000 } });
    const cost = await createRule({ ctx, input: { name: "cost", scope: "user", metric: "cost_usd", window: "day", limit: 0.001 } });
    const now = new Date();
    await call(ctx, { userId: "u", tokens: 900, model: "gpt-4o-mini" }, now);
    expect(await check(ctx, { userId: "u", estimatedTokens: 200 }, now)).toMatchObject({ allowed: false, reason: "limit_exceeded" });
    const ok = await check(ctx, { userId: "u", estimatedTokens: 50, model: "gpt-4o-mini" }, now);
    expect(ok.allowed).toBe(true);
    expect(ok.limits.find((l) => l.metric === "tokens")).toMatchObject({ used: 900, remaining: 100 });
    // 900 input tokens of gpt-4o-mini at $0.15/MTok = $0.000135 recorded.
    expect(ok.limits.find((l) => l.ruleId === cost.id)).toMatchObject({ used: 0.000135, limit: 0.001 });
    // The allowed check's reservation (50 tokens) now counts against the next one.
    expect(await check(ctx, { userId: "u", estimatedTokens: 60 }, now)).toMatchObject({ allowed: false });
  });

  it("200 concurrent check→record pairs against 20 requests/day allow exactly 20", async () => {
    const ctx = await workspace();
    await createRule({ ctx, input: { name: "Daily requests", scope: "user", metric: "requests", window: "day", limit: 20 } });
    const now = new Date();
    const results = await Promise.all(Array.from({ length: 200 }, () => call(ctx, { userId: "hot_user" }, now)));
    expect(results.filter((r) => r.allowed)).toHaveLength(20);
    const usageNow = await queryUsage({
      ctx,
      input: { dimension: "user", key: "hot_user", from: new Date(now.getTime() - HOUR), to: new Date(now.getTime() + HOUR) },
    });
    expect(usageNow.totals.requests).toBe(20);
  });

  it("a blocklist entry with expiry blocks before and allows after, with no job", async () => {
    const ctx = await workspace();
    const expiresAt = new Date(Date.now() + HOUR);
    await createBlock({ ctx, input: { userId: "abuser", reason: "abuse", expiresAt: expiresAt.toISOString() } });
    await createBlock({ ctx, input: { orgId: "bad_org" } });
    const before = await check(ctx, { userId: "abuser" }, new Date());
    expect(before).toMatchObject({ allowed: false, reason: "blocked", blockedUntil: expiresAt.toISOString() });
    expect(before.message).toContain("abuse");
    expect(before.retryAfterSeconds).toBeGreaterThan(3500);
    expect(await check(ctx, { userId: "abuser" }, new Date(expiresAt.getTime() + 1))).toMatchObject({ allowed: true, reason: null });
    expect(await check(ctx, { userId: "anyone", orgId: "bad_org" }, new Date())).toMatchObject({
      allowed: false,
      reason: "blocked",
      blockedUntil: null,
    });
  });

  it("disabling or raising a rule takes effect at once in this process", async () => {
    const ctx = await workspace();
    const rule = await createRule({ ctx, input: { name: "tight", scope: "user", metric: "requests", window: "day", limit: 1 } });
    const now = new Date();
    await call(ctx, { userId: "u" }, now);
    expect((await check(ctx, { userId: "u" }, now)).allowed).toBe(false);
    await updateRule({ ctx, id: rule.id, input: { limit: 5 } });
    expect((await check(ctx, { userId: "u" }, now)).allowed).toBe(true);
    await updateRule({ ctx, id: rule.id, input: { enabled: false, limit: 1 } });
    expect(await check(ctx, { userId: "u" }, now)).toMatchObject({ allowed: true, limits: [] });
  });
});
