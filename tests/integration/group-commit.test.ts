import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { resultRows } from "@/db/client";
import { EVENTS } from "@/server/events/catalogue";
import { endUsers, eventKeys, events, reservations } from "@/db/schema";
import type { ServiceCtx } from "@/server/services/context";
import { checkAccess } from "@/server/services/guardrails/check-access";
import { floorToMinute } from "@/server/services/core/time";
import { createRule } from "@/server/services/guardrails/manage-rules";
import { reservationsWritten } from "@/server/services/guardrails/fast-path";
import { GroupCommit, groupCommitFor, writeEvents } from "@/server/services/metering/group-commit";
import type { EventToInsert } from "@/server/services/metering/insert-event-sql";
import { recordEvent } from "@/server/services/metering/record-event";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

// Records arriving while a statement is in flight are written together (metering/group-commit.ts):
// fewer statements, the same answers and the same exact totals as one statement per record.
describe.each(TEST_DRIVERS)("group commit on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database.close());

  /** A workspace whose state and quota are cached already: concurrent records reach the batcher together. */
  const warmWorkspace = async () => {
    const { ctx } = await createTestWorkspace(database.db, "Group commit", "growth");
    await recordEvent({ ctx, input: { model: "gpt-4o-mini", requestId: "warm-up", usage: { prompt_tokens: 1, completion_tokens: 1 } } });
    return ctx;
  };
  const statements = () => groupCommitFor(database.db).stats.statements;
  const rollupTotals = async (ctx: ServiceCtx, dimension: string, key: string) => {
    const [row] = resultRows<{ requests: string; tokens: string; cost: string }>(
      await database.db.execute(sql`select coalesce(sum(requests), 0)::text as requests, coalesce(sum(total_tokens), 0)::text as tokens,
          coalesce(sum(cost_nanos), 0)::text as cost
        from usage_rollups where workspace_id = ${ctx.workspaceId} and dimension = ${dimension} and key = ${key}`),
    );
    return { requests: Number(row!.requests), tokens: Number(row!.tokens), cost: BigInt(row!.cost) };
  };

  /** An event as the record path hands it to the statement (gpt-4o-mini, 12 tokens, nothing to settle), with `e` changed. */
  const eventToInsert = (workspaceId: string, requestId: string, e: Partial<EventToInsert> = {}): EventToInsert => {
    const at = e.occurredAt ?? new Date();
    return {
      id: `evt_gc_${requestId}`,
      workspaceId,
      requestId,
      userId: null,
      orgId: null,
      feature: null,
      tier: null,
      model: "gpt-4o-mini",
      provider: "openai",
      requestType: null,
      conversationId: null,
      latencyMs: null,
      metadata: null,
      usageFormat: "openai",
      tokens: { input: 10, cachedInput: 0, cacheWrite: 0, output: 2, reasoning: 0, audioInput: 0, audioOutput: 0, total: 12 },
      costNanos: 2700n,
      priced: true,
      priceSource: "test",
      occurredAt: at,
      bucket: floorToMinute(at),
      hasText: false,
      settle: null,
      ...e,
    };
  };

  it("writes concurrent records of many users in fewer statements, with exact rollup and end-user totals", async () => {
    const ctx = await warmWorkspace();
    const before = await rollupTotals(ctx, "workspace", "");
    const startedAt = statements();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        recordEvent({
          ctx,
          input: {
            userId: `user_${i % 40}`,
            orgId: `org_${i % 7}`,
            feature: ["chat", "search"][i % 2],
            model: i % 5 ? "gpt-4o-mini" : "gpt-4o",
            requestId: `many-${i}`,
            usage: { prompt_tokens: 100 + i, completion_tokens: 10 + (i % 13) },
          },
        }),
      ),
    );
    expect(answers.every((a) => a.recorded && !a.duplicate)).toBe(true);
    expect(statements() - startedAt).toBeLessThan(answers.length / 4);

    const sentTokens = answers.reduce((n, a) => n + a.tokens.total, 0);
    const sentCost = answers.reduce((n, a) => n + BigInt(a.costNanos), 0n);
    const after = await rollupTotals(ctx, "workspace", "");
    expect(after.requests - before.requests).toBe(200);
    expect(after.tokens - before.tokens).toBe(sentTokens);
    expect(after.cost - before.cost).toBe(sentCost);
    const org3 = answers.filter((_, i) => i % 7 === 3);
    expect(await rollupTotals(ctx, "org", "org_3")).toEqual({
      requests: org3.length,
      tokens: org3.reduce((n, a) => n + a.tokens.total, 0),
      cost: org3.reduce((n, a) => n + BigInt(a.costNanos), 0n),
    });

    const users = await database.db.select().from(endUsers).where(eq(endUsers.workspaceId, ctx.workspaceId));
    expect(users).toHaveLength(40);
    for (const u of users) {
      const mine = answers.filter((_, i) => `user_${i % 40}` === u.userId);
      expect(u).toMatchObject({
        requests: mine.length,
        totalTokens: mine.reduce((n, a) => n + a.tokens.total, 0),
        costNanos: mine.reduce((n, a) => n + BigInt(a.costNanos), 0n),
        // The org of the user's last record (i = 160 + k): a later record's org wins, as one by one.
        orgId: `org_${(160 + Number(u.userId.slice(5))) % 7}`,
      });
    }
  });

  it("counts a requestId sent several times in one batch once: the others are answered as duplicates", async () => {
    const ctx = await warmWorkspace();
    const input = { userId: "twice", model: "gpt-4o-mini", requestId: "same-batch", usage: { prompt_tokens: 40, completion_tokens: 4 } };
    const startedAt = statements();
    // The first record goes out alone (the batcher was idle); the rest wait for it and share one statement.
    const answers = await Promise.all([
      recordEvent({ ctx, input: { ...input, requestId: "lead", userId: "other" } }),
      ...Array.from({ length: 5 }, () => recordEvent({ ctx, input })),
      recordEvent({ ctx, input: { ...input, requestId: "after", userId: "other" } }),
    ]);
    expect(statements() - startedAt).toBe(2);
    const same = answers.slice(1, 6);
    expect(same.map((a) => a.duplicate)).toEqual([false, true, true, true, true]);
    expect(new Set(same.map((a) => a.id)).size).toBe(1);
    expect(same[4]).toMatchObject({ recorded: true, costNanos: same[0]!.costNanos, tokens: same[0]!.tokens, settledCheckId: null });
    const mine = and(eq(events.workspaceId, ctx.workspaceId), eq(events.requestId, "same-batch"));
    expect(await database.db.select().from(events).where(mine)).toHaveLength(1);
    const [user] = await database.db
      .select()
      .from(endUsers)
      .where(and(eq(endUsers.workspaceId, ctx.workspaceId), eq(endUsers.userId, "twice")));
    expect(user).toMatchObject({ requests: 1, totalTokens: 44 });
    expect(await rollupTotals(ctx, "user", "twice")).toMatchObject({ requests: 1, tokens: 44 });
    const keys = await database.db.select().from(eventKeys).where(eq(eventKeys.workspaceId, ctx.workspaceId));
    expect(keys.find((k) => k.requestId === "same-batch")?.eventId).toBe(same[0]!.id);
  });

  it("two records in flight that each settle the user's latest open check settle one check each", async () => {
    const ctx = await warmWorkspace();
    const now = new Date();
    const first = await checkAccess({ ctx, input: { userId: "settler", model: "gpt-4o-mini" }, now: new Date(now.getTime() - 2_000) });
    const second = await checkAccess({ ctx, input: { userId: "settler", model: "gpt-4o-mini" }, now: new Date(now.getTime() - 1_000) });
    const usage = { prompt_tokens: 10, completion_tokens: 1 };
    const answers = await Promise.all([
      recordEvent({ ctx, now, input: { userId: "someone", model: "gpt-4o-mini", requestId: "s-lead", usage } }),
      recordEvent({ ctx, now, input: { userId: "settler", model: "gpt-4o-mini", requestId: "s-1", usage } }),
      recordEvent({ ctx, now, input: { userId: "settler", model: "gpt-4o-mini", requestId: "s-2", usage } }),
    ]);
    // Each takes the latest check still open when its statement runs: the newest first.
    expect(answers.slice(1).map((a) => a.settledCheckId)).toEqual([second.checkId, first.checkId]);
    const open = await database.db.select().from(reservations).where(eq(reservations.workspaceId, ctx.workspaceId));
    expect(open).toHaveLength(0);
  });

  // A record alone goes out in the one-record statement (no aggregates, sorts or joins), a batch
  // in the batch statement (insert-event-sql.ts): the same events must leave the same rows.
  it("leaves the same rows whether its records are written one statement each or in one batch", async () => {
    const now = new Date();
    const at = new Date(now.getTime() - 1_000);
    const write = async (batched: boolean) => {
      const { ctx } = await createTestWorkspace(database.db, "Statements agree", "growth");
      await createRule({ ctx, input: { name: "Daily", scope: "user", metric: "requests", window: "day", limit: 1_000 } });
      const byId = await checkAccess({ ctx, input: { userId: "alice", model: "gpt-4o", feature: "chat", estimatedTokens: 300 }, now: at });
      const latest = await checkAccess({ ctx, input: { userId: "bob", model: "gpt-4o-mini", feature: "search" }, now: at });
      await reservationsWritten(database.db);
      const usage = (input: number, output: number) => ({
        input,
        cachedInput: 0,
        cacheWrite: 0,
        output,
        reasoning: 0,
        audioInput: 0,
        audioOutput: 0,
        total: input + output,
      });
      const event = (n: number, e: Partial<EventToInsert>) =>
        eventToInsert(ctx.workspaceId, `eq-${n}`, {
          id: `evt_eq_${batched ? "b" : "o"}_${n}`,
          tokens: usage(100 + n, 10 + n),
          costNanos: BigInt(1_000 + n),
          occurredAt: now,
          ...e,
        });
      const all = [
        event(1, {
          userId: "alice",
          orgId: "org_1",
          tier: "pro",
          feature: "chat",
          model: "gpt-4o",
          settle: { checkId: byId.checkId! },
          hasText: true,
          labelText: { input: "hello", output: "hi", expiresAt: new Date(now.getTime() + 60_000) },
        }),
        event(2, { userId: "bob", feature: "search", settle: { latestOf: { feature: "search" } }, conversationId: "conv_1" }),
        event(3, { userId: "carol", model: "mystery-model", priced: false, costNanos: 0n, metadata: { plan: "trial" } }),
        event(4, { userId: null }),
        event(5, { userId: "dave", orgId: "org_1", tier: "free", settle: { latestOf: { feature: null } } }),
      ];
      const answers = batched ? await writeEvents(database.db, all) : [];
      if (!batched) for (const e of all) answers.push(...(await writeEvents(database.db, [e])));
      const rows = async (query: ReturnType<typeof sql>) => resultRows<Record<string, unknown>>(await database.db.execute(query));
      const ws = ctx.workspaceId;
      return {
        settled: answers.map((a) => (a?.settled === byId.checkId ? "by id" : a?.settled === latest.checkId ? "latest" : a?.settled)),
        inserted: answers.map((a) => a?.id.replace(/_[bo]_/, "_")),
        rollups: await rows(sql`select dimension, key, granularity, bucket, requests, input_tokens, cached_input_tokens, output_tokens,
            reasoning_tokens, total_tokens, cost_nanos, unpriced_requests
          from usage_rollups where workspace_id = ${ws} order by dimension, key, bucket`),
        endUsers: await rows(sql`select user_id, org_id, tier, first_seen_at, last_seen_at, requests, total_tokens, cost_nanos,
            unpriced_requests from end_users where workspace_id = ${ws} order by user_id`),
        counters: await rows(sql`select subject, bucket, requests, tokens, cost_nanos from reservation_counters
          where workspace_id = ${ws} order by subject, bucket`),
        open: await rows(sql`select user_id from reservations where workspace_id = ${ws} order by user_id`),
        events: await rows(sql`select request_id, user_id, org_id, feature, tier, model, conversation_id, metadata, total_tokens,
            cost_nanos, priced from events where workspace_id = ${ws} order by request_id`),
        texts: await rows(sql`select t.input, t.output from event_texts t where t.workspace_id = ${ws}`),
        outbox: await rows(sql`select payload->>'requestId' as request_id from outbox
          where workspace_id = ${ws} and name = ${EVENTS.eventRecorded} order by 1`),
      };
    };
    const one = await write(false);
    const batch = await write(true);
    expect(one.settled).toEqual(["by id", "latest", null, null, null]);
    expect(one.open).toEqual([]);
    expect(one.events.map((e) => e.request_id)).toEqual(["eq-1", "eq-2", "eq-3", "eq-4", "eq-5"]);
    expect(one.texts).toEqual([{ input: "hello", output: "hi" }]);
    expect(one.rollups.length).toBeGreaterThan(10);
    expect(batch).toEqual(one);
  });

  describe("a batch whose statement fails", () => {
    const event = (workspaceId: string, requestId: string) => eventToInsert(workspaceId, requestId, { userId: "batch_user" });

    it("is retried one record at a time: only the bad record's caller fails", async () => {
      const ctx = await warmWorkspace();
      const batcher = new GroupCommit(database.db);
      const settled = await Promise.allSettled([
        batcher.write(event(ctx.workspaceId, "f-lead"), null),
        batcher.write(event(ctx.workspaceId, "f-ok-1"), null),
        // No such workspace: the foreign key fails the whole statement.
        batcher.write(event("ws_missing", "f-bad"), null),
        batcher.write(event(ctx.workspaceId, "f-ok-2"), null),
      ]);
      expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
      expect(settled[1]).toMatchObject({ value: { id: "evt_gc_f-ok-1", settled: null } });
      // The lone first record, the failed batch of three, then those three one by one.
      expect(batcher.stats).toEqual({ statements: 5, records: 4 });
      const rows = await database.db.select({ requestId: events.requestId }).from(events).where(eq(events.userId, "batch_user"));
      expect(rows.map((r) => r.requestId).sort()).toEqual(["f-lead", "f-ok-1", "f-ok-2"]);
      expect(await rollupTotals(ctx, "user", "batch_user")).toEqual({ requests: 3, tokens: 36, cost: 8100n });
    });
  });
});
