import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { usageRollups } from "@/db/schema";
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
    await createRule({ ctx, input: { name: "monthly", scope: "user", metric: "requests", window: "calendar_month", limit: 1000, action: "require_reauth" } });
    const now = new Date();
    const old = new Date(Math.floor((now.getTime() - 72 * HOUR) / HOUR) * HOUR);
    let i = 0;
    for (const minutes of [1, 2, 2, 17, 59, 61, 125]) {
      for (const user of ["a", "b"]) {
        await recordEvent({
          ctx,
          now,
          input: { userId: user, feature: "chat", model: "gpt-4o-mini", requestId: `c${i++}`, timestamp: new Date(old.getTime() + minutes * 60_000).toISOString(), usage: { prompt_tokens: 100 + i, completion_tokens: i } },
        });
      }
    }
    await recordEvent({ ctx, now, input: { userId: "a", model: "gpt-4o-mini", requestId: "recent", usage: { prompt_tokens: 5, completion_tokens: 5 } } });
    const range = { from: new Date(now.getTime() - 30 * 86_400_000), to: new Date(now.getTime() + 60_000), interval: "day" as const };
    const before = await Promise.all([
      queryUsage({ ctx, input: range }),
      queryUsage({ ctx, input: { ...range, dimension: "user", key: "a", interval: "hour" } }),
      topUsage({ ctx, input: { ...range, dimension: "feature" } }),
    ]);
    const checkBefore = await checkAccess({ ctx, input: { userId: "a" }, now });
    const rows = async (granularity: "minute" | "hour") =>
      (await database.db.select().from(usageRollups).where(and(eq(usageRollups.workspaceId, ctx.workspaceId), eq(usageRollups.granularity, granularity)))).length;
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
});
