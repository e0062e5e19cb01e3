import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearOfUtcTurn } from "../helpers/clock";
import { sql } from "drizzle-orm";
import { resultRows, type Db } from "@/db/client";
import { setPlanByHand } from "@/server/services/billing/manage-billing";
import { DEFAULT_PARTITION, ensureEventPartitions, listEventPartitions, monthPartition } from "@/server/services/maintenance/partitions";
import { runRetention } from "@/server/services/maintenance/retention";
import { recordEvent } from "@/server/services/metering/record-event";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

const DAY = 86_400_000;

function monthOffset(at: Date, months: number): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1));
}

/** An event and its idempotency key written directly: records cannot be older than 35 days. */
async function insertEvent(db: Db, workspaceId: string, requestId: string, at: Date) {
  const id = `evt_${requestId}`;
  await db.execute(sql`insert into events (id, workspace_id, request_id, model, usage_format, input_tokens, cached_input_tokens,
      cache_write_tokens, output_tokens, reasoning_tokens, audio_input_tokens, audio_output_tokens, total_tokens, cost_nanos,
      priced, occurred_at)
    values (${id}, ${workspaceId}, ${requestId}, 'gpt-4o-mini', 'openai', 1, 0, 0, 1, 0, 0, 0, 2, 10, true, ${at.toISOString()}::timestamptz)`);
  await db.execute(sql`insert into event_keys (workspace_id, request_id, event_id, occurred_at)
    values (${workspaceId}, ${requestId}, ${id}, ${at.toISOString()}::timestamptz)`);
}

/** Which partition holds each of the workspace's events, by request id. */
async function placement(db: Db, workspaceId: string): Promise<Record<string, string>> {
  const rows = resultRows<{ request_id: string; part: string }>(
    await db.execute(sql`select request_id, tableoid::regclass::text as part from events where workspace_id = ${workspaceId}`),
  );
  return Object.fromEntries(rows.map((r) => [r.request_id, r.part]));
}

async function keysOf(db: Db, workspaceId: string): Promise<string[]> {
  const rows = resultRows<{ request_id: string }>(
    await db.execute(sql`select request_id from event_keys where workspace_id = ${workspaceId} order by request_id`),
  );
  return rows.map((r) => r.request_id);
}

describe.each(TEST_DRIVERS)("events partitioned by month on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  // Set again once clear of midnight (below): the migration's current month must be the test's.
  let now = new Date();
  beforeAll(async () => {
    await clearOfUtcTurn(["month"]);
    now = new Date();
    database = await openTestDatabase(driver);
  }, 300_000);
  afterAll(() => database.close());

  it("after migrating, the previous, current and next two months exist, and a default partition", async () => {
    const names = (await listEventPartitions(database.db)).map((p) => p.name);
    for (const offset of [-1, 0, 1, 2]) expect(names).toContain(monthPartition(monthOffset(now, offset)).name);
    const [row] = resultRows<{ n: number }>(
      await database.db.execute(sql`select count(*)::int as n from pg_class c
        join pg_inherits i on i.inhrelid = c.oid where c.relname = ${DEFAULT_PARTITION} and i.inhparent = 'events'::regclass`),
    );
    expect(row?.n).toBe(1);
  });

  it("a record timestamped 30 days ago lands in its month's partition", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    const at = new Date(now.getTime() - 30 * DAY);
    await recordEvent({
      ctx,
      now,
      input: {
        userId: "u1",
        model: "gpt-4o-mini",
        requestId: "late",
        timestamp: at.toISOString(),
        usage: { prompt_tokens: 10, completion_tokens: 1 },
      },
    });
    expect(await placement(database.db, ctx.workspaceId)).toEqual({ late: monthPartition(at).name });
  });

  it("ensureEventPartitions is idempotent", async () => {
    const before = await listEventPartitions(database.db);
    expect((await ensureEventPartitions(database.db, now)).created).toEqual([]);
    expect((await ensureEventPartitions(database.db, now)).created).toEqual([]);
    expect(await listEventPartitions(database.db)).toEqual(before);
  });

  it("moves a month's rows out of the default partition when it creates that month", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    const farMonth = monthOffset(now, 5);
    await insertEvent(database.db, ctx.workspaceId, "ahead", new Date(farMonth.getTime() + 3 * DAY));
    expect(await placement(database.db, ctx.workspaceId)).toEqual({ ahead: DEFAULT_PARTITION });

    const result = await ensureEventPartitions(database.db, monthOffset(now, 3));
    expect(result.created).toContain(monthPartition(farMonth).name);
    expect(result.movedFromDefault).toBe(1);
    expect(await placement(database.db, ctx.workspaceId)).toEqual({ ahead: monthPartition(farMonth).name });
  });

  it("retention drops a month past every workspace's retention with its event keys, and keeps younger months", async () => {
    const free = await createTestWorkspace(database.db); // 7 days
    const growth = await createTestWorkspace(database.db, "Growth", "growth"); // 90 days
    // An enterprise workspace with a short custom retention does not hold old months back.
    const enterprise = await createTestWorkspace(database.db, "Enterprise");
    await setPlanByHand({
      ctx: { ...enterprise.ctx, actor: { type: "system", id: null } },
      input: { plan: "enterprise", retentionDays: 30 },
    });
    const old = new Date(now.getTime() - 200 * DAY);
    const recent = new Date(now.getTime() - 60 * DAY);
    await ensureEventPartitions(database.db, old);
    await ensureEventPartitions(database.db, recent);
    for (const w of [free, growth]) {
      await insertEvent(database.db, w.ctx.workspaceId, `old-${w.ctx.workspaceId}`, old);
      await insertEvent(database.db, w.ctx.workspaceId, `recent-${w.ctx.workspaceId}`, recent);
    }
    expect((await placement(database.db, growth.ctx.workspaceId))[`old-${growth.ctx.workspaceId}`]).toBe(monthPartition(old).name);

    const result = await runRetention(database.db, now);
    const names = (await listEventPartitions(database.db)).map((p) => p.name);
    expect(names).not.toContain(monthPartition(old).name);
    expect(names).toContain(monthPartition(recent).name);
    expect(result.partitionsDropped).toBeGreaterThanOrEqual(1);
    // Growth keeps its 60-day-old event; free lost it to its own 7 days, row by row.
    expect(await placement(database.db, growth.ctx.workspaceId)).toEqual({
      [`recent-${growth.ctx.workspaceId}`]: monthPartition(recent).name,
    });
    expect(await placement(database.db, free.ctx.workspaceId)).toEqual({});
    expect(await keysOf(database.db, growth.ctx.workspaceId)).toEqual([`recent-${growth.ctx.workspaceId}`]);
    expect(await keysOf(database.db, free.ctx.workspaceId)).toEqual([]);
  });

  it("keeps every month while a workspace is in its grace week", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    await database.db.execute(sql`update workspaces set plan = 'free', subscription_status = 'canceled',
      dropped_to_free_at = ${new Date(now.getTime() - DAY).toISOString()}::timestamptz where id = ${ctx.workspaceId}`);
    const old = new Date(now.getTime() - 300 * DAY);
    await ensureEventPartitions(database.db, old);
    await insertEvent(database.db, ctx.workspaceId, "graced", old);
    await runRetention(database.db, now);
    expect(await placement(database.db, ctx.workspaceId)).toEqual({ graced: monthPartition(old).name });
    expect(await keysOf(database.db, ctx.workspaceId)).toEqual(["graced"]);
  });
});
