import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { events, payloadLogs } from "@/db/schema";
import { runHousekeeping } from "@/server/services/maintenance/housekeeping";
import { runRetention } from "@/server/services/maintenance/retention";
import { recordEvent } from "@/server/services/metering/record-event";
import { queryUsage } from "@/server/services/usage/query-usage";
import { updateWorkspaceSettings } from "@/server/services/workspaces/workspaces";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

const DAY = 86_400_000;

describe.each(TEST_DRIVERS)("retention on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database.close());

  it("deletes events and logs past the plan's retention (free: 7 days) and leaves usage totals unchanged", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    await updateWorkspaceSettings({ ctx, input: { payloadLogging: true } });
    const now = new Date();
    for (const [i, daysAgo] of [20, 10, 8, 3, 1, 0].entries()) {
      await recordEvent({
        ctx,
        now,
        input: {
          userId: `u${i % 2}`,
          model: "gpt-4o-mini",
          requestId: `ret-${i}`,
          timestamp: new Date(now.getTime() - daysAgo * DAY).toISOString(),
          input: "hello",
          output: "hi",
          usage: { prompt_tokens: 1000 * (i + 1), completion_tokens: 10 },
        },
      });
    }
    const range = { from: new Date(now.getTime() - 30 * DAY), to: new Date(now.getTime() + 60_000), interval: "day" as const };
    const before = await queryUsage({ ctx, input: range });
    const mine = and(eq(events.workspaceId, ctx.workspaceId));
    expect(await database.db.select().from(events).where(mine)).toHaveLength(6);

    // Payload logs carry their own created_at (now); age three of them as if written long ago.
    await database.db
      .update(payloadLogs)
      .set({ createdAt: new Date(now.getTime() - 9 * DAY) })
      .where(and(eq(payloadLogs.workspaceId, ctx.workspaceId), eq(payloadLogs.requestId, "ret-0")));

    const result = await runRetention(database.db, now);
    expect(result.events).toBeGreaterThanOrEqual(3);
    const left = await database.db.select({ requestId: events.requestId }).from(events).where(mine);
    expect(left.map((e) => e.requestId).sort()).toEqual(["ret-3", "ret-4", "ret-5"]);
    const logsLeft = await database.db
      .select({ requestId: payloadLogs.requestId })
      .from(payloadLogs)
      .where(eq(payloadLogs.workspaceId, ctx.workspaceId));
    expect(logsLeft.map((l) => l.requestId)).not.toContain("ret-0");
    expect(logsLeft).toHaveLength(5);

    const after = await queryUsage({ ctx, input: range });
    expect(after.totals).toEqual(before.totals);
    expect(after.series).toEqual(before.series);
    expect(await runHousekeeping(database.db, now)).toMatchObject({ reservations: expect.any(Number) });
  });
});
