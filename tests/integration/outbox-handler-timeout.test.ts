import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { eq, sql } from "drizzle-orm";
import { resultRows } from "@/db/client";
import { outbox } from "@/db/schema";
import { staleClaimSeconds } from "@/server/services/alerts/deliver";
import { DELIVERY_LIMITS } from "@/server/lib/safe-request";
import { claimOutbox, deliverInProcess, OUTBOX_LIMITS, processOutbox } from "@/server/events/outbox";
import { outboxPoller } from "@/server/events/worker";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

const STUCK = "tokenist/test.stuck";
const QUICK = "tokenist/test.quick";
const SLOW = "tokenist/test.slow";

describe.each(TEST_DRIVERS)("outbox handlers with a timeout on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let workspaceId: string;
  const quick: number[] = [];
  const slow = { resolve: () => {}, promise: Promise.resolve() };
  slow.promise = new Promise<void>((resolve) => (slow.resolve = resolve));
  const saved = { ...OUTBOX_LIMITS };
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    workspaceId = (await createTestWorkspace(database.db, "Outbox")).ctx.workspaceId;
  });
  // Test-only reactions, run the way the worker runs the real ones.
  const runHandlers = deliverInProcess([
    { on: STUCK, id: "never-settles", run: () => new Promise(() => {}) },
    { on: QUICK, id: "records", run: async ({ data }) => void quick.push((data as { outboxId: number }).outboxId) },
    { on: SLOW, id: "waits", run: () => slow.promise },
  ]);
  afterEach(() => Object.assign(OUTBOX_LIMITS, saved));
  afterAll(async () => {
    await database.close();
  });

  const enqueue = async (name: string) =>
    Number(
      resultRows<{ id: number }>(
        await database.db.execute(
          sql`insert into outbox (workspace_id, name, payload) values (${workspaceId}, ${name}, '{}'::jsonb) returning id`,
        ),
      )[0]!.id,
    );
  const row = async (id: number) => (await database.db.select().from(outbox).where(eq(outbox.id, id)))[0]!;

  it("M1: a handler that never settles fails at the handler timeout and is retried later; the entries after it are delivered", async () => {
    OUTBOX_LIMITS.handlerTimeoutMs = 300; // injected: the production timeout is 60 s
    const stuck = await enqueue(STUCK);
    const later = await enqueue(QUICK);
    expect(await processOutbox(database.db, runHandlers)).toEqual({ delivered: 1, failed: 1 });
    expect(quick).toContain(later);
    expect((await row(later)).deliveredAt).not.toBeNull();
    const entry = await row(stuck);
    expect(entry.deliveredAt).toBeNull();
    expect(entry.lastError).toBe("never-settles: handler never-settles did not finish within 300 ms");
    expect(entry.nextAttemptAt.getTime()).toBeGreaterThan(Date.now()); // backoff, then tried again
    await database.db.update(outbox).set({ deliveredAt: new Date() }).where(eq(outbox.id, stuck));
  });

  it("M1: while one entry hangs, the worker's poll goes on claiming and delivering the others", async () => {
    OUTBOX_LIMITS.handlerTimeoutMs = 1_500;
    const poll = outboxPoller(database.db, runHandlers);
    const stuck = await enqueue(STUCK);
    await poll(); // the stuck entry takes one slot
    const later = await enqueue(QUICK);
    await poll();
    await vi.waitFor(async () => expect((await row(later)).deliveredAt).not.toBeNull());
    expect(await row(stuck)).toMatchObject({ deliveredAt: null, lastError: null }); // still in flight, not in the way
    await vi.waitFor(async () => expect((await row(stuck)).lastError).toContain("did not finish within 1500 ms"), { timeout: 5_000 });
    await database.db.update(outbox).set({ deliveredAt: new Date() }).where(eq(outbox.id, stuck));
  });

  it("L10: the lease of an entry is renewed while it is worked on, so no other worker re-claims it", async () => {
    OUTBOX_LIMITS.leaseSeconds = 1; // injected: the production lease is 30 s, renewed every 10 s
    const id = await enqueue(SLOW);
    const working = processOutbox(database.db, runHandlers);
    await vi.waitFor(async () => expect((await row(id)).attempts).toBe(1)); // claimed
    // Three lease lengths later the handler is still running, and the entry is still leased.
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      expect(await claimOutbox(database.db, 10)).toEqual([]);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await row(id)).nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    slow.resolve();
    expect(await working).toEqual({ delivered: 1, failed: 0 });
    expect(await row(id)).toMatchObject({ attempts: 1, lastError: null });
  });

  it("L10: the lease outlasts a delivery's deadline, and a delivery claim outlasts it too", () => {
    expect(OUTBOX_LIMITS.leaseSeconds * 1000).toBeGreaterThan(DELIVERY_LIMITS.deadlineMs);
    expect(OUTBOX_LIMITS.handlerTimeoutMs).toBeGreaterThan(DELIVERY_LIMITS.deadlineMs);
    expect(staleClaimSeconds() * 1000).toBeGreaterThan(DELIVERY_LIMITS.deadlineMs);
  });
});
