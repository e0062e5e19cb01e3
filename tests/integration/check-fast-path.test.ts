import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase } from "@/db/client";
import type { TCheckInput } from "@/server/contract/sdk";
import type { ServiceCtx } from "@/server/services/context";
import { MINUTE_MS, startOfMonth } from "@/server/services/core/time";
import { checkAccess, HEADROOM_CALLS } from "@/server/services/guardrails/check-access";
import { readBatches, reservationsWritten } from "@/server/services/guardrails/fast-path";
import { createRule } from "@/server/services/guardrails/manage-rules";
import { readUsage } from "@/server/services/guardrails/read-usage";
import {
  MIRROR,
  mirrorContents,
  mirrorHeld,
  mirrorLastRefresh,
  mirrorLoaded,
  mirrorLoadedAt,
  reloadMirror,
} from "@/server/services/guardrails/usage-mirror";
import { recordEvent } from "@/server/services/metering/record-event";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

let seq = 0;
const usage = { prompt_tokens: 300, completion_tokens: 40 };

/**
 * A minute to freeze this process's clock in (Date only) whose next minute is in the same month:
 * the far workspace's calendar-month rule resets when a month turns, which sends a check to the
 * database (not memory) and makes the mirror's next refresh a full load, whatever the test meant.
 */
function minuteClearOfMonthEnd(): number {
  const minute = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
  return startOfMonth(new Date(minute + MINUTE_MS)).getTime() === minute + MINUTE_MS ? minute - MINUTE_MS : minute;
}

/** Check, then (when allowed) record: the SDK's flow. */
async function call(ctx: ServiceCtx, input: TCheckInput) {
  const decision = await checkAccess({ ctx, input });
  if (decision.allowed) {
    await recordEvent({
      ctx,
      input: { ...input, model: "gpt-4o-mini", requestId: `fp-${++seq}`, checkId: decision.checkId ?? undefined, usage },
    });
  }
  return decision;
}

describe.each(TEST_DRIVERS)("the check's fast path on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database.close());

  /** A workspace with per-user request and token limits far away, and its mirror loaded. */
  async function farWorkspace() {
    const { ctx } = await createTestWorkspace(database.db);
    await createRule({ ctx, input: { name: "Daily requests", scope: "user", metric: "requests", window: "day", limit: 100_000 } });
    await createRule({ ctx, input: { name: "Hourly tokens", scope: "user", metric: "tokens", window: "hour", limit: 50_000_000 } });
    await createRule({
      ctx,
      input: { name: "Monthly", scope: "workspace", metric: "requests", window: "calendar_month", limit: 10_000_000 },
    });
    await checkAccess({ ctx, input: { userId: "warm-up" } });
    await mirrorLoaded(ctx.db, ctx.workspaceId);
    return ctx;
  }

  it("far from every limit, checks are answered from memory: no statement is run for them", async () => {
    // A frozen clock: a month turning between the mirror's load and the checks would send them to the database.
    vi.useFakeTimers({ toFake: ["Date"], now: minuteClearOfMonthEnd() + 10_000 });
    try {
      const ctx = await farWorkspace();
      const before = readBatches(ctx.db);
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => checkAccess({ ctx, input: { userId: `u${i}` } })));
      expect(answers.every((a) => a.allowed && a.checkId)).toBe(true);
      expect(readBatches(ctx.db)).toBe(before);
      // Their reservations are written behind, and a record settles each one.
      await reservationsWritten(ctx.db);
      const settled = await recordEvent({ ctx, input: { userId: "u7", model: "gpt-4o-mini", requestId: `fp-${++seq}`, usage } });
      expect(settled.settledCheckId).toBe(answers[7]!.checkId);
    } finally {
      vi.useRealTimers();
    }
  });

  it("what a check answers from memory equals what the database holds, after checks and records", async () => {
    // A frozen clock: a month turning between the mirror's load and the check would send it to the database.
    vi.useFakeTimers({ toFake: ["Date"], now: minuteClearOfMonthEnd() + 10_000 });
    try {
      const ctx = await farWorkspace();
      for (let i = 0; i < 6; i++) await call(ctx, { userId: "steady", estimatedTokens: 500 });
      await checkAccess({ ctx, input: { userId: "steady", estimatedTokens: 500 } }); // one check still open
      await reservationsWritten(ctx.db);
      const before = readBatches(ctx.db);
      const answer = await checkAccess({ ctx, input: { userId: "steady", estimatedTokens: 500 } });
      expect(readBatches(ctx.db)).toBe(before); // from memory
      await reservationsWritten(ctx.db);
      const subjects = [
        { dimension: "user" as const, key: "steady", window: "day" as const },
        { dimension: "user" as const, key: "steady", window: "hour" as const },
      ];
      const { usage: inDb } = await readUsage(ctx.db, ctx.workspaceId, subjects, new Date());
      // The answer was given before its own reservation: the database holds one more request and 500 tokens.
      expect(answer.limits.find((l) => l.metric === "requests")?.used).toBe(Number(inDb[0]!.requests) - 1);
      expect(answer.limits.find((l) => l.metric === "tokens")?.used).toBe(Number(inDb[1]!.tokens) - 500);
      expect(Number(inDb[0]!.requests)).toBe(8); // 6 recorded + 2 open checks
      expect(Number(inDb[1]!.tokens)).toBe(6 * 340 + 2 * 500);
    } finally {
      vi.useRealTimers();
    }
  });

  it(`one process never overruns a limit: ${HEADROOM_CALLS} + 50 concurrent checks against a limit of ${HEADROOM_CALLS} + 50 allow exactly that`, async () => {
    const { ctx } = await createTestWorkspace(database.db);
    const limit = Number(HEADROOM_CALLS) + 50;
    await createRule({ ctx, input: { name: "Shared", scope: "workspace", metric: "requests", window: "day", limit } });
    await checkAccess({ ctx, input: { userId: "warm-up" } });
    await mirrorLoaded(ctx.db, ctx.workspaceId);
    const answers = await Promise.all(Array.from({ length: limit + 150 }, (_, i) => checkAccess({ ctx, input: { userId: `c${i}` } })));
    // The warm-up's reservation counts too.
    expect(answers.filter((a) => a.allowed)).toHaveLength(limit - 1);
    expect(answers.filter((a) => !a.allowed).every((a) => a.reason === "limit_exceeded")).toBe(true);
  });

  it("a process keeps its mirrors within a key budget, dropping the least recently used workspace", async () => {
    const budget = MIRROR.maxKeysPerProcess;
    MIRROR.maxKeysPerProcess = 3;
    try {
      const a = await farWorkspace();
      for (const user of ["a1", "a2"]) await call(a, { userId: user });
      await reloadMirror(a.db, a.workspaceId); // a: its users and the workspace's keys
      expect(mirrorHeld(a.db, a.workspaceId)).toBe(true);
      const b = await farWorkspace();
      for (const user of ["b1", "b2"]) await call(b, { userId: user });
      await reloadMirror(b.db, b.workspaceId);
      expect(mirrorHeld(b.db, b.workspaceId)).toBe(true);
      expect(mirrorHeld(a.db, a.workspaceId)).toBe(false);
      // a's checks still work: from the database, and its mirror is loaded again on demand.
      expect((await checkAccess({ ctx: a, input: { userId: "a1" } })).allowed).toBe(true);
    } finally {
      MIRROR.maxKeysPerProcess = budget;
    }
  });

  it("a refresh reads only what changed, and ends equal to a full load: other writers, settlements, a rolling window's oldest minute", async () => {
    const MINUTE = 60_000;
    // Not the month's last minute: the next minute below must not reset the far workspace's monthly rule.
    const minute = minuteClearOfMonthEnd();
    vi.useFakeTimers({ toFake: ["Date"], now: minute + 10_000 });
    // Postgres: the writes come from another process, unseen until the refresh; PGlite: this one's.
    const other = driver === "postgres" ? await openDatabase({ url: database.url! }) : null;
    try {
      const ctx = await farWorkspace();
      await createRule({
        ctx,
        input: { name: "Chat cost", scope: "feature", match: "chat", metric: "cost_usd", window: "day", limit: 1_000_000 },
      });
      const writer: ServiceCtx = other ? { ...ctx, db: other.db } : ctx;
      // Before the first load: a user whose only call is in the oldest minute the hour counts, one
      // with a call there and one now, and 30 users with a call each.
      const oldest = new Date(minute - 59 * MINUTE + 30_000).toISOString();
      const rec = (userId: string, timestamp?: string, checkId?: string | null) =>
        recordEvent({
          ctx: writer,
          input: {
            userId,
            feature: "chat",
            model: "gpt-4o-mini",
            requestId: `fp-${++seq}`,
            timestamp,
            checkId: checkId ?? undefined,
            usage,
          },
        });
      await rec("fading", oldest);
      await rec("staying", oldest);
      await rec("staying");
      for (let i = 0; i < 30; i++) await rec(`quiet${i}`);
      await checkAccess({ ctx, input: { userId: "warm-up", feature: "chat" } });
      await mirrorLoaded(ctx.db, ctx.workspaceId); // the new rule's group joined: a full load
      expect(mirrorLastRefresh(ctx.db, ctx.workspaceId)?.kind).toBe("full");
      const fullRows = mirrorLastRefresh(ctx.db, ctx.workspaceId)!.rows;

      // The writer: two users' new calls, three open checks, one of them settled.
      await rec("quiet3");
      await rec("newcomer");
      const opened = [];
      for (const userId of ["quiet5", "quiet6", "newcomer"])
        opened.push(await checkAccess({ ctx: writer, input: { userId, feature: "chat", estimatedTokens: 900 } }));
      await reservationsWritten(writer.db);
      await rec("quiet5", undefined, opened[0]!.checkId);
      // A minute later: the oldest minute has left the hour.
      vi.setSystemTime(minute + MINUTE + 1_000);
      await reloadMirror(ctx.db, ctx.workspaceId);
      const refresh = mirrorLastRefresh(ctx.db, ctx.workspaceId)!;
      expect(refresh.kind).toBe("changes");
      expect(refresh.rows).toBeLessThan(fullRows / 2);
      const changed = mirrorContents(ctx.db, ctx.workspaceId);
      const fading = changed!.groups.find(([g]) => g === "user|hour")![1].find(([k]) => k === "fading");
      expect(fading).toBeUndefined(); // its only call left the hour

      const every = MIRROR.fullReloadMs;
      MIRROR.fullReloadMs = 0;
      try {
        await reloadMirror(ctx.db, ctx.workspaceId);
      } finally {
        MIRROR.fullReloadMs = every;
      }
      expect(mirrorLastRefresh(ctx.db, ctx.workspaceId)?.kind).toBe("full");
      expect(changed).toEqual(mirrorContents(ctx.db, ctx.workspaceId));
    } finally {
      vi.useRealTimers();
      await other?.close();
    }
  });

  it.runIf(driver === "pglite")(
    "on PGlite (the only writer) the mirror stays exact without reloading, and reloads when a rolling window drops a bucket or its own writes pile up",
    async () => {
      const MINUTE = 60_000;
      const minute = Math.floor(Date.now() / MINUTE) * MINUTE;
      vi.useFakeTimers({ toFake: ["Date"], now: minute + 10_000 }); // the clock this process reads
      try {
        const { ctx } = await createTestWorkspace(database.db);
        await createRule({ ctx, input: { name: "Hourly", scope: "user", metric: "requests", window: "hour", limit: 100_000 } });
        // Three calls in the oldest minute the hour still counts, one in this minute.
        const oldest = new Date(minute - 59 * MINUTE + 30_000).toISOString();
        for (let i = 0; i < 3; i++) {
          await recordEvent({ ctx, input: { userId: "ager", model: "gpt-4o-mini", requestId: `fp-${++seq}`, timestamp: oldest, usage } });
        }
        await recordEvent({ ctx, input: { userId: "ager", model: "gpt-4o-mini", requestId: `fp-${++seq}`, usage } });
        await checkAccess({ ctx, input: { userId: "warm-up" } });
        await mirrorLoaded(ctx.db, ctx.workspaceId);
        const loadedAt = mirrorLoadedAt(ctx.db, ctx.workspaceId);
        expect(loadedAt).toBe(minute + 10_000);
        const used = (answer: Awaited<ReturnType<typeof checkAccess>>) => answer.limits.find((l) => l.metric === "requests")?.used;

        // 30 s later (PGlite used to reload every 5 s): from memory, exact, no reload.
        vi.setSystemTime(minute + 40_000);
        let reads = readBatches(ctx.db);
        expect(used(await checkAccess({ ctx, input: { userId: "ager" } }))).toBe(4);
        expect(readBatches(ctx.db)).toBe(reads);
        await mirrorLoaded(ctx.db, ctx.workspaceId);
        expect(mirrorLoadedAt(ctx.db, ctx.workspaceId)).toBe(loadedAt);

        // The next minute: the oldest minute has left the hour. The database answers (the three
        // calls gone, the check at 40 s still open), and the mirror is reloaded.
        vi.setSystemTime(minute + MINUTE + 1);
        reads = readBatches(ctx.db);
        expect(used(await checkAccess({ ctx, input: { userId: "ager" } }))).toBe(2);
        expect(readBatches(ctx.db)).toBe(reads + 1);
        await mirrorLoaded(ctx.db, ctx.workspaceId);
        expect(mirrorLoadedAt(ctx.db, ctx.workspaceId)).toBe(minute + MINUTE + 1);
        // And answers from memory again, with both open checks.
        reads = readBatches(ctx.db);
        expect(used(await checkAccess({ ctx, input: { userId: "ager" } }))).toBe(3);
        expect(readBatches(ctx.db)).toBe(reads);
        // Its own writes since the load, past MIRROR.maxDeltas, bring a reload too (memory).
        const cap = MIRROR.maxDeltas;
        MIRROR.maxDeltas = 2;
        try {
          vi.setSystemTime(minute + MINUTE + 2_000);
          for (let i = 0; i < 4; i++) await checkAccess({ ctx, input: { userId: `cap${i}` } });
          await mirrorLoaded(ctx.db, ctx.workspaceId);
          expect(mirrorLoadedAt(ctx.db, ctx.workspaceId)).toBe(minute + MINUTE + 2_000);
        } finally {
          MIRROR.maxDeltas = cap;
        }
        await reservationsWritten(ctx.db);
        const { usage: inDb } = await readUsage(ctx.db, ctx.workspaceId, [{ dimension: "user", key: "ager", window: "hour" }], new Date());
        expect(Number(inDb[0]!.requests)).toBe(4); // the recent call and three open checks
      } finally {
        vi.useRealTimers();
      }
    },
  );

  it.runIf(driver === "postgres")(
    `calls another process made and this one has not seen yet, fewer than ${HEADROOM_CALLS}, never push a subject past its limit`,
    async () => {
      const ctx = await farWorkspace();
      const other = await openDatabase({ url: database.url! });
      try {
        const elsewhere: ServiceCtx = { ...ctx, db: other.db };
        const limit = Number(HEADROOM_CALLS) + 100;
        await createRule({ ctx, input: { name: "Tight", scope: "user", match: "busy", metric: "requests", window: "day", limit } });
        await checkAccess({ ctx, input: { userId: "busy" } }); // the new rule's group joins the mirror
        await mirrorLoaded(ctx.db, ctx.workspaceId);
        await reloadMirror(ctx.db, ctx.workspaceId);
        // The other process records 999 calls of "busy": unseen by this process's mirror until its next reload.
        for (let i = 0; i < Number(HEADROOM_CALLS) - 1; i += 111) {
          await Promise.all(
            Array.from({ length: Math.min(111, Number(HEADROOM_CALLS) - 1 - i) }, (_, j) =>
              recordEvent({ ctx: elsewhere, input: { userId: "busy", model: "gpt-4o-mini", requestId: `else-${i + j}`, usage } }),
            ),
          );
        }
        let allowed = 0;
        for (let i = 0; i < 300; i++) if ((await call(ctx, { userId: "busy" })).allowed) allowed++;
        await reservationsWritten(ctx.db);
        const { usage: inDb } = await readUsage(ctx.db, ctx.workspaceId, [{ dimension: "user", key: "busy", window: "day" }], new Date());
        // The other process's first record settled the warm-up check of "busy": 999 + what was allowed here.
        expect(allowed).toBe(limit - (Number(HEADROOM_CALLS) - 1));
        expect(Number(inDb[0]!.requests)).toBe(limit);
      } finally {
        await other.close();
      }
    },
  );
});
