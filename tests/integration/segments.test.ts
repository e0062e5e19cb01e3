import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { resultRows } from "@/db/client";
import { SYSTEM, type ServiceCtx } from "@/server/services/context";
import { checkAccess } from "@/server/services/guardrails/check-access";
import { reservationsWritten } from "@/server/services/guardrails/fast-path";
import { createRule } from "@/server/services/guardrails/manage-rules";
import { recordEvent } from "@/server/services/metering/record-event";
import { createSegment, updateSegment } from "@/server/services/segments/manage-segments";
import { refreshAllSegmentMembers, refreshSegmentMembers } from "@/server/services/segments/refresh-members";
import { segmentMembersSql } from "@/server/services/segments/segment-sql";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

const HOUR = 3_600_000;

/**
 * Segment membership moves with time (a label ages out of "labelled within 1 day"), and a rule
 * that targets the segment follows the members the minute job keeps, on both databases.
 */
describe.each(TEST_DRIVERS)("segment membership over time on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let ctx: ServiceCtx;
  const now = new Date();
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    ctx = (await createTestWorkspace(database.db, "Segments", "growth")).ctx;
    for (const userId of ["u1", "u2", "u3"]) {
      await recordEvent({
        ctx,
        input: { userId, model: "gpt-4o-mini", requestId: `${userId}-1`, usage: { prompt_tokens: 10, completion_tokens: 5 } },
        now: new Date(now.getTime() - 60_000),
      });
    }
  });
  afterAll(async () => {
    // Allowed checks keep their reservation in a write-behind: let it land before closing.
    await reservationsWritten(database.db);
    await database.close();
  });

  const label = (userId: string, at: Date) =>
    database.db.execute(sql`insert into end_user_labels (id, workspace_id, user_id, label, event_id, confidence, reason, source, occurred_at)
      values (${`lab_${userId}_${at.getTime()}`}, ${ctx.workspaceId}, ${userId}, 'frustration', ${`evt_${userId}_${at.getTime()}`},
        0.9, 'test', 'builtin', ${at.toISOString()}::timestamptz)`);
  const membersAt = async (filter: Parameters<typeof segmentMembersSql>[1], at: Date) =>
    resultRows<{ user_id: string }>(await database.db.execute(sql`${segmentMembersSql(ctx.workspaceId, filter, at)} order by 1`)).map(
      (r) => r.user_id,
    );
  const stored = async (segmentId: string) =>
    resultRows<{ user_id: string }>(
      await database.db.execute(sql`select user_id from segment_members where segment_id = ${segmentId} order by 1`),
    ).map((r) => r.user_id);
  const check = (userId: string, at: Date) => checkAccess({ ctx, input: { userId }, now: at });

  it("a label counts while it is within the window, and leaves the segment when it ages out", async () => {
    // 23.5 h ago: inside "within 1 day" (which starts on the hour, 24 h back) now; outside two hours later.
    await label("u1", new Date(now.getTime() - 23.5 * HOUR));
    const filter = { labels: ["frustration"], labelWithinDays: 1 };
    expect(await membersAt(filter, now)).toEqual(["u1"]);
    expect(await membersAt(filter, new Date(now.getTime() + 2 * HOUR))).toEqual([]);
    expect(await membersAt({ labels: ["frustration"], labelWithinDays: 2 }, new Date(now.getTime() + 2 * HOUR))).toEqual(["u1"]);
  });

  it("a rule on the segment limits its members as the minute job finds them", async () => {
    const segment = await createSegment({ ctx, input: { name: "Frustrated", filter: { labels: ["frustration"], labelWithinDays: 1 } } });
    // Not targeted yet: nothing is materialised.
    expect(await stored(segment.id)).toEqual([]);
    await createRule({
      ctx,
      input: { name: "Frustrated: 1 a day", scope: "user", filters: { segment: segment.id }, metric: "requests", window: "day", limit: 1 },
    });
    // Creating the rule computed its members in the same transaction.
    expect(await stored(segment.id)).toEqual(["u1"]);
    expect(await check("u1", now)).toMatchObject({ allowed: false, reason: "limit_exceeded" });
    expect(await check("u2", now)).toMatchObject({ allowed: true, limits: [] });

    // Two hours on: u1's label has aged out, u2 has a fresh one. u1's call still counts in the day
    // window, so only the segment decides.
    const later = new Date(now.getTime() + 2 * HOUR);
    await label("u2", new Date(now.getTime() - 60_000));
    expect(await refreshSegmentMembers(database.db, ctx.workspaceId, later)).toBe(2);
    expect(await stored(segment.id)).toEqual(["u2"]);
    expect(await check("u1", later)).toMatchObject({ allowed: true, limits: [] });
    expect(await check("u2", later)).toMatchObject({ allowed: false, reason: "limit_exceeded" });
    // Nothing changed since: the job changes nothing and bumps nothing.
    expect(await refreshAllSegmentMembers(database.db, later)).toMatchObject({ changed: 0 });

    // A new filter applies at once (the segment's own change recomputes its members).
    await updateSegment({ ctx, id: segment.id, input: { filter: { activeWithinDays: 1 } } });
    expect(await stored(segment.id)).toEqual(["u1", "u2", "u3"]);
    expect(await check("u3", now)).toMatchObject({ allowed: false, reason: "limit_exceeded" });
  });

  it("members of a segment no rule targets are not kept", async () => {
    const segment = await createSegment({ ctx: { ...ctx, actor: SYSTEM }, input: { name: "Everyone", filter: {} } });
    await updateSegment({ ctx, id: segment.id, input: { filter: { tier: "none" } } });
    await refreshAllSegmentMembers(database.db, now);
    expect(await stored(segment.id)).toEqual([]);
  });
});
