import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { alertDeliveries, auditLogs, events, outbox, workspaces } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { setPlanByHand } from "@/server/services/billing/manage-billing";
import { runRetention } from "@/server/services/maintenance/retention";
import { recordEvent } from "@/server/services/metering/record-event";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

const DAY = 86_400_000;

/** Rows of every kind retention handles, `daysAgo` old, tagged so the test finds them again. */
async function seed(db: Db, ctx: Awaited<ReturnType<typeof createTestWorkspace>>["ctx"], tag: string, daysAgo: number, now: Date) {
  const at = new Date(now.getTime() - daysAgo * DAY);
  await recordEvent({
    ctx,
    now,
    input: { userId: "u", model: "gpt-4o-mini", requestId: `${tag}-evt`, usage: { prompt_tokens: 10, completion_tokens: 1 } },
  });
  // Records take timestamps of the last 35 days only: age the event by hand.
  await db
    .update(events)
    .set({ occurredAt: at })
    .where(and(eq(events.workspaceId, ctx.workspaceId), eq(events.requestId, `${tag}-evt`)));
  await db.insert(alertDeliveries).values({
    id: newId("dlv"),
    workspaceId: ctx.workspaceId,
    channelId: `chn_${ctx.workspaceId}`,
    deliveryKey: `${tag}-dlv`,
    status: "sent",
    payload: { text: "user alice@example.com" },
    responseBody: "ok",
    createdAt: at,
  });
  await db.insert(auditLogs).values({
    id: newId("aud"),
    workspaceId: ctx.workspaceId,
    actorType: "system",
    action: `${tag}.audit`,
    data: { usagePolicy: "secret policy" },
    createdAt: at,
  });
  await db.insert(outbox).values([
    { workspaceId: ctx.workspaceId, name: `${tag}.delivered`, payload: {}, createdAt: at, deliveredAt: at },
    { workspaceId: ctx.workspaceId, name: `${tag}.pending`, payload: {}, createdAt: at },
  ]);
}

/** Which tagged rows are still there, per kind. */
async function left(db: Db, workspaceId: string) {
  const ev = await db.select({ r: events.requestId }).from(events).where(eq(events.workspaceId, workspaceId));
  const dl = await db.select({ k: alertDeliveries.deliveryKey }).from(alertDeliveries).where(eq(alertDeliveries.workspaceId, workspaceId));
  const au = await db
    .select({ a: auditLogs.action })
    .from(auditLogs)
    .where(and(eq(auditLogs.workspaceId, workspaceId), eq(auditLogs.actorType, "system")));
  const ob = await db.select({ n: outbox.name }).from(outbox).where(eq(outbox.workspaceId, workspaceId));
  const tags = (xs: string[]) => [...new Set(xs.map((x) => x.split(/[-.]/)[0]!))].sort();
  return {
    events: tags(ev.map((e) => e.r!)),
    deliveries: tags(dl.map((d) => d.k)),
    audit: tags(au.map((a) => a.a).filter((a) => a.endsWith(".audit"))),
    outbox: [...new Set(ob.map((o) => o.n).filter((n) => /^(old|new|ancient|mid)\./.test(n)))].sort(),
  };
}

describe.each(TEST_DRIVERS)("retention doors on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database.close());
  const now = new Date();

  it("L6: old alert deliveries, audit rows and outbox entries (delivered or given up on) go with the events; recent ones stay", async () => {
    const w = await createTestWorkspace(database.db); // free: 7 days
    await seed(database.db, w.ctx, "old", 10, now);
    await seed(database.db, w.ctx, "new", 2, now);
    const result = await runRetention(database.db, now);
    expect(result).toMatchObject({ deliveries: expect.any(Number), outbox: expect.any(Number), audit: expect.any(Number) });
    expect(await left(database.db, w.ctx.workspaceId)).toEqual({
      events: ["new"],
      deliveries: ["new"],
      audit: ["new"],
      outbox: ["new.delivered", "new.pending"],
    });
  });

  it("L6: enterprise keeps a year of audit log even with a 30-day data retention", async () => {
    const w = await createTestWorkspace(database.db);
    await setPlanByHand({ ctx: { ...w.ctx, actor: { type: "system", id: null } }, input: { plan: "enterprise", retentionDays: 30 } });
    await seed(database.db, w.ctx, "ancient", 400, now);
    await seed(database.db, w.ctx, "mid", 100, now);
    await seed(database.db, w.ctx, "new", 5, now);
    await runRetention(database.db, now);
    const after = await left(database.db, w.ctx.workspaceId);
    expect(after.events).toEqual(["new"]);
    expect(after.deliveries).toEqual(["new"]);
    expect(after.audit).toEqual(["mid", "new"]);
  });

  it("L6: a workspace whose paid plan just ended keeps its data for a 7-day grace; then the free retention applies", async () => {
    // Canceled 2 days ago (as the Stripe webhook leaves it: plan free, the drop recorded).
    const canceled = await createTestWorkspace(database.db);
    await database.db
      .update(workspaces)
      .set({ plan: "free", subscriptionStatus: "canceled", droppedToFreeAt: new Date(now.getTime() - 2 * DAY) })
      .where(eq(workspaces.id, canceled.ctx.workspaceId));
    // A failed payment whose grace ran out 3 days ago: stored growth, effectively free.
    const lapsed = await createTestWorkspace(database.db);
    await database.db
      .update(workspaces)
      .set({ plan: "growth", subscriptionStatus: "past_due", graceUntil: new Date(now.getTime() - 3 * DAY) })
      .where(eq(workspaces.id, lapsed.ctx.workspaceId));
    for (const w of [canceled, lapsed]) await seed(database.db, w.ctx, "old", 20, now);

    const first = await runRetention(database.db, now);
    expect(first.inGrace).toBeGreaterThanOrEqual(2);
    for (const w of [canceled, lapsed]) expect((await left(database.db, w.ctx.workspaceId)).events).toEqual(["old"]);

    // A week on, the effective plan (free) decides, not the stored one (growth would keep 90 days).
    const later = new Date(now.getTime() + 6 * DAY);
    await runRetention(database.db, later);
    for (const w of [canceled, lapsed])
      expect(await left(database.db, w.ctx.workspaceId)).toEqual({ events: [], deliveries: [], audit: [], outbox: [] });
  });

  it("L6: an owner setting Free by hand starts the same grace; going back to a paid plan clears it", async () => {
    const w = await createTestWorkspace(database.db, "By hand", "growth");
    const system = { ...w.ctx, actor: { type: "system" as const, id: null } };
    await setPlanByHand({ ctx: system, input: { plan: "free" } });
    const [dropped] = await database.db
      .select({ at: workspaces.droppedToFreeAt })
      .from(workspaces)
      .where(eq(workspaces.id, w.ctx.workspaceId));
    expect(Math.abs(dropped!.at!.getTime() - Date.now())).toBeLessThan(60_000);
    await seed(database.db, w.ctx, "old", 20, now);
    await runRetention(database.db, now);
    expect((await left(database.db, w.ctx.workspaceId)).events).toEqual(["old"]);
    await setPlanByHand({ ctx: system, input: { plan: "starter" } });
    const [cleared] = await database.db
      .select({ at: workspaces.droppedToFreeAt })
      .from(workspaces)
      .where(inArray(workspaces.id, [w.ctx.workspaceId]));
    expect(cleared!.at).toBeNull();
  });
});
