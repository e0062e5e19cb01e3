import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { resultRows } from "@/db/client";
import { checkAccess } from "@/server/services/guardrails/check-access";
import { readBatches, reservationsWritten } from "@/server/services/guardrails/fast-path";
import { createRule } from "@/server/services/guardrails/manage-rules";
import { getRuleShadow } from "@/server/services/guardrails/rule-shadow";
import { shadowStatsWritten } from "@/server/services/guardrails/shadow-stats";
import { mirrorLoaded } from "@/server/services/guardrails/usage-mirror";
import { recordEvent } from "@/server/services/metering/record-event";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

let seq = 0;
const usage = { prompt_tokens: 300, completion_tokens: 40 };

/** Shadow rules in the check, in process: what they cost the fast path, and what they never do. */
describe.each(TEST_DRIVERS)("shadow rules in the check on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database.close());

  const shadowRows = async (workspaceId: string) =>
    resultRows<{ n: number }>(
      await database.db.execute(sql`select count(*)::int as n from shadow_stats where workspace_id = ${workspaceId}`),
    )[0]!.n;

  it("far from its limit a shadow rule keeps the check in memory, and its counts are written behind", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    const rule = await createRule({
      ctx,
      input: { name: "far", scope: "user", metric: "requests", window: "day", limit: 100_000, mode: "shadow" },
    });
    await checkAccess({ ctx, input: { userId: "warm-up" } });
    await mirrorLoaded(ctx.db, ctx.workspaceId);
    await shadowStatsWritten(ctx.db);
    const before = readBatches(ctx.db);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => checkAccess({ ctx, input: { userId: `u${i % 4}` } })));
    expect(answers.every((a) => a.allowed && a.limits.length === 0)).toBe(true);
    expect(readBatches(ctx.db)).toBe(before); // no read for them
    const shadow = await getRuleShadow({ ctx, id: rule.id });
    expect(shadow).toMatchObject({ checks: 21, wouldDeny: 0, endUsers: 0, top: [] });
    expect(await shadowRows(ctx.workspaceId)).toBe(5); // warm-up + u0..u3, this hour
  });

  it("a check with no shadow rule writes no shadow counts", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    await createRule({ ctx, input: { name: "enforced", scope: "user", metric: "requests", window: "day", limit: 2 } });
    for (let i = 0; i < 4; i++) await checkAccess({ ctx, input: { userId: "solo" } });
    await shadowStatsWritten(ctx.db);
    expect(await shadowRows(ctx.workspaceId)).toBe(0);
  });

  it("an exceeded shadow rule of another action neither acts nor fires a crossing, and counts as would-have-acted", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    const rule = await createRule({
      ctx,
      input: { name: "alert at 2", scope: "user", metric: "requests", window: "day", limit: 2, action: "alert", mode: "shadow" },
    });
    const reauth = await createRule({
      ctx,
      input: { name: "reauth at 2", scope: "user", metric: "requests", window: "day", limit: 2, action: "require_reauth", mode: "shadow" },
    });
    for (let i = 0; i < 4; i++) {
      const a = await checkAccess({ ctx, input: { userId: "x" } });
      expect(a).toMatchObject({ allowed: true, limits: [], actions: [] });
      await recordEvent({ ctx, input: { userId: "x", model: "gpt-4o-mini", requestId: `sh-${++seq}`, checkId: a.checkId!, usage } });
    }
    await reservationsWritten(ctx.db);
    const crossings = async (workspaceId: string) =>
      resultRows<{ n: number }>(
        await database.db.execute(
          sql`select count(*)::int as n from outbox where workspace_id = ${workspaceId} and name = 'tokenist/limit.crossed'`,
        ),
      )[0]!.n;
    expect(await crossings(ctx.workspaceId)).toBe(0);
    // The same alert rule enforced does fire (the control).
    const enforced = await createTestWorkspace(database.db);
    await createRule({
      ctx: enforced.ctx,
      input: { name: "alert at 2", scope: "user", metric: "requests", window: "day", limit: 2, action: "alert" },
    });
    for (let i = 0; i < 4; i++) {
      const a = await checkAccess({ ctx: enforced.ctx, input: { userId: "x" } });
      await recordEvent({
        ctx: enforced.ctx,
        input: { userId: "x", model: "gpt-4o-mini", requestId: `sh-${++seq}`, checkId: a.checkId!, usage },
      });
    }
    expect(await crossings(enforced.ctx.workspaceId)).toBeGreaterThan(0);
    // Checks 3 and 4 see 2 and 3 used of 2: each rule would have acted twice.
    for (const id of [rule.id, reauth.id]) {
      expect(await getRuleShadow({ ctx, id })).toMatchObject({
        checks: 4,
        wouldDeny: 2,
        endUsers: 1,
        top: [{ userId: "x", wouldDeny: 2 }],
      });
    }
  });
});
