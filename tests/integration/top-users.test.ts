import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { resultRows } from "@/db/client";
import type { ServiceCtx } from "@/server/services/context";
import { topUsage } from "@/server/services/usage/query-usage";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

const HOUR = 3600_000;
const ORDER = { cost: "cost_nanos", tokens: "total_tokens", requests: "requests" } as const;

/**
 * Hour rollups of `users` end users over the 40 hours before `now`, and their end_users rows with
 * running totals equal to the sums of those rollups (as recording keeps them). `weight` gives
 * each user's usage per bucket from (user, hour).
 */
async function seedUsage(ctx: ServiceCtx, now: Date, users: number, weight: string) {
  const start = new Date(Math.floor(now.getTime() / HOUR) * HOUR - 40 * HOUR).toISOString();
  await ctx.db.execute(sql`insert into usage_rollups (workspace_id, dimension, key, granularity, bucket, requests, input_tokens,
      cached_input_tokens, output_tokens, reasoning_tokens, total_tokens, cost_nanos, unpriced_requests)
    select ${ctx.workspaceId}, 'user', 'u' || lpad(u::text, 5, '0'), 'hour', ${start}::timestamptz + make_interval(hours => h),
      w, w * 10, 0, w, 0, w * 11, w * 1000, 0
    from generate_series(0, ${sql.raw(String(users - 1))}) u, generate_series(0, 39) h,
      lateral (select (${sql.raw(weight)})::bigint as w) x
    where w > 0`);
  await ctx.db.execute(sql`insert into end_users (workspace_id, user_id, first_seen_at, last_seen_at, requests, total_tokens, cost_nanos)
    select workspace_id, key, min(bucket), max(bucket), sum(requests), sum(total_tokens), sum(cost_nanos)
    from usage_rollups where workspace_id = ${ctx.workspaceId} and dimension = 'user' group by workspace_id, key`);
}

/** The top as one aggregate over every end user's buckets computes it. */
async function fullTop(ctx: ServiceCtx, from: Date, to: Date, orderBy: keyof typeof ORDER, limit: number) {
  const rows = resultRows<{ key: string; n: string }>(
    await ctx.db.execute(sql`select key, sum(${sql.raw(ORDER[orderBy])})::text as n from usage_rollups
      where workspace_id = ${ctx.workspaceId} and dimension = 'user'
        and bucket >= ${from.toISOString()}::timestamptz and bucket < ${to.toISOString()}::timestamptz
      group by key order by sum(${sql.raw(ORDER[orderBy])}) desc, key limit ${limit}`),
  );
  return rows.map((r) => r.key);
}

describe.each(TEST_DRIVERS)("top end users over a range on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  const now = new Date();
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database.close());

  it("match the full aggregate when usage is skewed and shifts over time (read by running totals)", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    // Heavy users early (outside short ranges), others later: running totals mislead on purpose.
    await seedUsage(ctx, now, 300, "case when h < 20 then 1000 / (u + 1) else (u * 7919) % 97 end");
    for (const hours of [40, 30, 10, 3]) {
      const from = new Date(now.getTime() - hours * HOUR);
      for (const orderBy of ["cost", "tokens", "requests"] as const) {
        for (const limit of [1, 8, 50]) {
          const top = await topUsage({ ctx, input: { dimension: "user", from, to: now, orderBy, limit } });
          expect(
            top.map((t) => t.key),
            `${hours} h, ${orderBy}, top ${limit}`,
          ).toEqual(await fullTop(ctx, from, now, orderBy, limit));
        }
      }
    }
  });

  it("match the full aggregate when every end user used the same (ties by key; past the candidate cap)", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    await seedUsage(ctx, now, 4_100, "1");
    const from = new Date(Math.floor(now.getTime() / HOUR) * HOUR - 20 * HOUR);
    const top = await topUsage({ ctx, input: { dimension: "user", from, to: now, limit: 8 } });
    expect(top.map((t) => t.key)).toEqual(await fullTop(ctx, from, now, "cost", 8));
    expect(top[0]).toMatchObject({ key: "u00000", requests: 20, costNanos: "20000" });
  });
});
