import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { usageRollups } from "@/db/schema";
import { log } from "@/server/lib/log";
import { checkAccess } from "@/server/services/guardrails/check-access";
import { createRule } from "@/server/services/guardrails/manage-rules";
import { compactRollups } from "@/server/services/maintenance/compact-rollups";
import { recordEvent } from "@/server/services/metering/record-event";
import { queryUsage, topUsage } from "@/server/services/usage/query-usage";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

const HOUR = 3600_000;

describe.each(TEST_DRIVERS)("rollup compaction on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database.close());

  it("folds minute buckets older than 48 h into hours without changing any sum or limit", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    // Not a blocking rule: an allowed check would reserve a request and change the second reading.
    await createRule({
      ctx,
      input: { name: "monthly", scope: "user", metric: "requests", window: "calendar_month", limit: 1000, action: "require_reauth" },
    });
    const now = new Date();
    const old = new Date(Math.floor((now.getTime() - 72 * HOUR) / HOUR) * HOUR);
    let i = 0;
    for (const minutes of [1, 2, 2, 17, 59, 61, 125]) {
      for (const user of ["a", "b"]) {
        await recordEvent({
          ctx,
          now,
          input: {
            userId: user,
            feature: "chat",
            model: "gpt-4o-mini",
            requestId: `c${i++}`,
            timestamp: new Date(old.getTime() + minutes * 60_000).toISOString(),
            usage: { prompt_tokens: 100 + i, completion_tokens: i },
          },
        });
      }
    }
    await recordEvent({
      ctx,
      now,
      input: { userId: "a", model: "gpt-4o-mini", requestId: "recent", usage: { prompt_tokens: 5, completion_tokens: 5 } },
    });
    const range = { from: new Date(now.getTime() - 30 * 86_400_000), to: new Date(now.getTime() + 60_000), interval: "day" as const };
    const before = await Promise.all([
      queryUsage({ ctx, input: range }),
      queryUsage({ ctx, input: { ...range, dimension: "user", key: "a", interval: "hour" } }),
      topUsage({ ctx, input: { ...range, dimension: "feature" } }),
    ]);
    const checkBefore = await checkAccess({ ctx, input: { userId: "a" }, now });
    const rows = async (granularity: "minute" | "hour") =>
      (
        await database.db
          .select()
          .from(usageRollups)
          .where(and(eq(usageRollups.workspaceId, ctx.workspaceId), eq(usageRollups.granularity, granularity)))
      ).length;
    const minuteRows = await rows("minute");

    const result = await compactRollups(database.db, now);
    expect(result.minuteRowsFolded).toBeGreaterThan(0);
    expect(await rows("minute")).toBeLessThan(minuteRows);
    expect(await rows("hour")).toBeGreaterThan(0);
    expect(await rows("minute")).toBeGreaterThan(0); // the recent minute stays a minute (rolling windows read it)

    const after = await Promise.all([
      queryUsage({ ctx, input: range }),
      queryUsage({ ctx, input: { ...range, dimension: "user", key: "a", interval: "hour" } }),
      topUsage({ ctx, input: { ...range, dimension: "feature" } }),
    ]);
    expect(after).toEqual(before);
    const checkAfter = await checkAccess({ ctx, input: { userId: "a" }, now });
    expect(checkAfter.limits).toEqual(checkBefore.limits);
    expect((await compactRollups(database.db, now)).minuteRowsFolded).toBe(0); // idempotent
  });

  it("M5: a workspace whose hour sums overflow int8 is logged and skipped; the others are still compacted", async () => {
    const broken = (await createTestWorkspace(database.db, "Overflowing")).ctx.workspaceId;
    const healthy = (await createTestWorkspace(database.db, "Healthy")).ctx.workspaceId;
    const now = new Date();
    const hour = Math.floor((now.getTime() - 72 * HOUR) / HOUR) * HOUR;
    const insertMinute = (workspaceId: string, minute: number, tokens: bigint, costNanos: bigint) =>
      database.db.execute(sql`insert into usage_rollups (workspace_id, dimension, key, granularity, bucket, requests, input_tokens, total_tokens, cost_nanos)
        values (${workspaceId}, 'workspace', '', 'minute', ${new Date(hour + minute * 60_000).toISOString()}::timestamptz, 1, ${String(tokens)}::bigint, ${String(tokens)}::bigint, ${String(costNanos)}::bigint)`);
    // The audit's two records (3e15 prompt tokens at gpt-4o prices, ≈7.5e18 nanos each), written
    // straight into the rollups: parseUsage now refuses them. Their hour sum passes int8's 9.2e18.
    await insertMinute(broken, 1, 3_000_000_000_000_000n, 7_500_000_000_000_000_000n);
    await insertMinute(broken, 3, 3_000_000_000_000_000n, 7_500_000_000_000_000_000n);
    for (const minute of [1, 3, 61]) await insertMinute(healthy, minute, 100n, 1_000n);
    const rowsOf = async (workspaceId: string, granularity: "minute" | "hour") =>
      database.db
        .select({
          bucket: usageRollups.bucket,
          requests: usageRollups.requests,
          tokens: usageRollups.totalTokens,
          cost: usageRollups.costNanos,
        })
        .from(usageRollups)
        .where(and(eq(usageRollups.workspaceId, workspaceId), eq(usageRollups.granularity, granularity)))
        .orderBy(usageRollups.bucket);

    const errors = vi.spyOn(log, "error").mockImplementation(() => {});
    try {
      const result = await compactRollups(database.db, now);
      expect(result.failedWorkspaces).toEqual([broken]);
      expect(result.minuteRowsFolded).toBe(3);
      expect(errors).toHaveBeenCalledTimes(1);
      expect(errors).toHaveBeenCalledWith(expect.stringContaining("compaction failed"), expect.objectContaining({ workspaceId: broken }));
    } finally {
      errors.mockRestore();
    }
    expect(await rowsOf(healthy, "minute")).toEqual([]);
    expect(await rowsOf(healthy, "hour")).toEqual([
      { bucket: new Date(hour), requests: 2, tokens: 200, cost: 2_000n },
      { bucket: new Date(hour + HOUR), requests: 1, tokens: 100, cost: 1_000n },
    ]);
    // The broken workspace is untouched (its statement rolled back), not half-folded.
    expect(await rowsOf(broken, "minute")).toHaveLength(2);
    expect(await rowsOf(broken, "hour")).toEqual([]);
  });
});
