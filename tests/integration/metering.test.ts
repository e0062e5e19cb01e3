import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { endUsers, events, outbox, payloadLogs } from "@/db/schema";
import { updateWorkspaceSettings } from "@/server/services/workspaces/workspaces";
import { recordEvent } from "@/server/services/metering/record-event";
import { logPayload } from "@/server/services/metering/log-payload";
import { exportUsageCsv, queryUsage, topUsage } from "@/server/services/usage/query-usage";
import type { ServiceCtx } from "@/server/services/context";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

// gpt-4o-mini: $0.15 input, $0.075 cached input, $0.60 output per MTok → 150 / 75 / 600 nanos per token.
const MINI = { in: 150n, cached: 75n, out: 600n };
const miniCost = (input: number, cached: number, output: number) =>
  BigInt(input - cached) * MINI.in + BigInt(cached) * MINI.cached + BigInt(output) * MINI.out;

describe.each(TEST_DRIVERS)("metering on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let ctx: ServiceCtx;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    ctx = (await createTestWorkspace(database.db)).ctx;
  });
  afterAll(() => database.close());

  it("records exact tokens and nano-dollar cost, and answers a retry as a duplicate", async () => {
    const input = {
      userId: "user_abc123",
      model: "gpt-4o-mini",
      requestId: "req_exact",
      usage: { prompt_tokens: 812, completion_tokens: 95, total_tokens: 907, prompt_tokens_details: { cached_tokens: 512 } },
    };
    const first = await recordEvent({ ctx, input });
    expect(first).toMatchObject({
      duplicate: false,
      costNanos: miniCost(812, 512, 95).toString(), // 140,400 nanos = $0.0001404
      costUsd: 0.0001404,
      tokens: { input: 812, cachedInput: 512, output: 95, reasoning: 0, total: 907 },
      warnings: [],
    });
    const again = await recordEvent({ ctx, input });
    expect(again).toMatchObject({ duplicate: true, id: first.id, costNanos: first.costNanos });
    const rows = await database.db
      .select()
      .from(events)
      .where(and(eq(events.workspaceId, ctx.workspaceId), eq(events.requestId, "req_exact")));
    expect(rows).toHaveLength(1);
  });

  it("counts the same requestId sent 50 times concurrently once", async () => {
    const input = {
      userId: "user_par",
      model: "gpt-4o-mini",
      requestId: "req_parallel",
      usage: { prompt_tokens: 100, completion_tokens: 10 },
    };
    const answers = await Promise.all(Array.from({ length: 50 }, () => recordEvent({ ctx, input })));
    expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.id)).size).toBe(1);
    const [user] = await database.db
      .select()
      .from(endUsers)
      .where(and(eq(endUsers.workspaceId, ctx.workspaceId), eq(endUsers.userId, "user_par")));
    expect(user).toMatchObject({ requests: 1, totalTokens: 110, costNanos: miniCost(100, 0, 10) });
    const outboxRows = await database.db.select().from(outbox).where(eq(outbox.workspaceId, ctx.workspaceId));
    expect(outboxRows.filter((o) => o.payload.requestId === "req_parallel")).toHaveLength(1);
  });

  it("records an unknown model at cost 0 with a warning, and counts it as unpriced", async () => {
    const res = await recordEvent({
      ctx,
      input: { userId: "u_unk", model: "my-private-llm-v9", usage: { inputTokens: 10, outputTokens: 5 } },
    });
    expect(res).toMatchObject({ costUsd: 0, costNanos: "0", warnings: ["unknown_model_price"], tokens: { total: 15 } });
    const top = await topUsage({
      ctx,
      input: { dimension: "model", from: new Date(Date.now() - 3600_000), to: new Date(Date.now() + 60_000) },
    });
    expect(top.find((t) => t.key === "my-private-llm-v9")).toMatchObject({ requests: 1, unpricedRequests: 1, costNanos: "0" });
  });

  it("returns exact sums per dimension and per time bucket", async () => {
    const { ctx: w } = await createTestWorkspace(database.db, "sums");
    // On the hour: the first two calls share an hour (and a day) whatever the time of the run.
    const base = new Date(Math.floor((Date.now() - 3 * 3600_000) / 3600_000) * 3600_000);
    const calls = [
      { userId: "alice", feature: "chat", orgId: "o1", minutes: 0, input: 1000, cached: 0, output: 100 },
      { userId: "alice", feature: "search", orgId: "o1", minutes: 1, input: 2000, cached: 1000, output: 50 },
      { userId: "bob", feature: "chat", orgId: "o2", minutes: 61, input: 300, cached: 0, output: 30 },
      { userId: "bob", feature: "chat", orgId: "o2", minutes: 125, input: 7, cached: 0, output: 1 },
    ];
    for (const [i, c] of calls.entries()) {
      await recordEvent({
        ctx: w,
        input: {
          userId: c.userId,
          orgId: c.orgId,
          feature: c.feature,
          tier: "pro",
          model: "gpt-4o-mini",
          requestId: `sum-${i}`,
          timestamp: new Date(base.getTime() + c.minutes * 60_000).toISOString(),
          usage: { prompt_tokens: c.input, completion_tokens: c.output, prompt_tokens_details: { cached_tokens: c.cached } },
        },
      });
    }
    const range = { from: new Date(base.getTime() - 3600_000), to: new Date() };
    const cost = (cs: typeof calls) => cs.reduce((s, c) => s + miniCost(c.input, c.cached, c.output), 0n).toString();
    const tokens = (cs: typeof calls) => cs.reduce((s, c) => s + c.input + c.output, 0);

    const all = await queryUsage({ ctx: w, input: { ...range, interval: "hour" } });
    expect(all.totals).toMatchObject({ requests: 4, totalTokens: tokens(calls), costNanos: cost(calls), unpricedRequests: 0 });
    // Buckets: the first two calls share an hour, the others fall one and two hours later.
    const nonEmpty = all.series.filter((p) => p.requests > 0);
    expect(nonEmpty.map((p) => p.requests).reduce((a, b) => a + b, 0)).toBe(4);
    expect(
      nonEmpty
        .map((p) => p.costNanos)
        .reduce((a, b) => a + BigInt(b), 0n)
        .toString(),
    ).toBe(cost(calls));

    for (const [dimension, key, subset] of [
      ["user", "alice", calls.filter((c) => c.userId === "alice")],
      ["user", "bob", calls.filter((c) => c.userId === "bob")],
      ["feature", "chat", calls.filter((c) => c.feature === "chat")],
      ["org", "o2", calls.filter((c) => c.orgId === "o2")],
      ["model", "gpt-4o-mini", calls],
      ["tier", "pro", calls],
    ] as const) {
      const u = await queryUsage({ ctx: w, input: { ...range, dimension, key, interval: "minute" } });
      expect(u.totals, `${dimension}=${key}`).toMatchObject({
        requests: subset.length,
        totalTokens: tokens(subset),
        costNanos: cost(subset),
      });
      expect(u.series).toHaveLength(subset.length); // one minute bucket per call here
    }
    const top = await topUsage({ ctx: w, input: { ...range, dimension: "user", orderBy: "cost" } });
    expect(top.map((t) => t.key)).toEqual(["alice", "bob"]);
    const csv = await exportUsageCsv({ ctx: w, input: { ...range, dimension: "user", interval: "day" } });
    expect(csv.split("\n")[0]).toContain("time,dimension,key,requests");
    expect(csv).toContain(",user,alice,2,");
  });

  it("stores payloads only after opting in, redacted", async () => {
    expect(await logPayload({ ctx, input: { requestId: "p1", request: { a: 1 } } })).toEqual({
      logged: false,
      reason: "payload_logging_disabled",
    });
    await updateWorkspaceSettings({ ctx, input: { payloadLogging: true } });
    const logged = await logPayload({
      ctx,
      input: { requestId: "p1", request: { prompt: "mail me at jane@example.com or +1 415 555 0100" } },
    });
    expect(logged).toMatchObject({ logged: true, id: expect.stringMatching(/^log_/) });
    const again = await logPayload({ ctx, input: { requestId: "p1", request: {} } });
    expect(again).toEqual(logged);
    const [row] = await database.db.select().from(payloadLogs).where(eq(payloadLogs.workspaceId, ctx.workspaceId));
    expect(JSON.stringify(row!.request)).toBe(JSON.stringify({ prompt: "mail me at [email] or [phone]" }));
  });

  it("refuses malformed usage with a clear error and writes nothing", async () => {
    const before = await database.db.select().from(events).where(eq(events.workspaceId, ctx.workspaceId));
    await expect(recordEvent({ ctx, input: { model: "gpt-4o", usage: { prompt_tokens: -5 } } })).rejects.toMatchObject({ status: 400 });
    await expect(recordEvent({ ctx, input: { model: "gpt-4o", usage: {} } })).rejects.toMatchObject({ status: 400 });
    const after = await database.db.select().from(events).where(eq(events.workspaceId, ctx.workspaceId));
    expect(after).toHaveLength(before.length);
  });
});
