import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { auditLogs, events, invitations, members } from "@/db/schema";
import { createCaller } from "@/server/api/root";
import { newId } from "@/server/lib/ids";
import { createBlock } from "@/server/services/blocklist/manage-blocklist";
import { recordEvent } from "@/server/services/metering/record-event";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

const HOUR = 3_600_000;
const usage = (n: number) => ({ prompt_tokens: n, completion_tokens: 10 });

describe.each(TEST_DRIVERS)("dashboard read services (%s)", (driver) => {
  let database: Database;
  let ws: Awaited<ReturnType<typeof createTestWorkspace>>;
  let caller: ReturnType<typeof createCaller>;
  let inWs: { workspaceId: string };
  const now = new Date();
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    ws = await createTestWorkspace(database.db, "Reads");
    caller = createCaller({ db: database.db, memberId: ws.member.id });
    inWs = { workspaceId: ws.workspace.id };
    // 30 users: user_00 … user_29; user_i sends i+1 calls, one an hour back from now.
    for (let i = 0; i < 30; i++) {
      for (let j = 0; j <= i; j++) {
        await recordEvent({
          ctx: ws.ctx,
          input: {
            userId: `user_${String(i).padStart(2, "0")}`,
            orgId: i % 2 ? "org_odd" : "org_even",
            feature: j % 2 ? "chat" : "search",
            model: j % 3 ? "gpt-4o-mini" : "My-Custom-Model",
            usage: usage(100 * (j + 1)),
            requestId: `r_${i}_${j}`,
            timestamp: new Date(now.getTime() - (j + 1) * HOUR).toISOString(),
          },
        });
      }
    }
    await database.db
      .update(events)
      .set({ labels: ["frustration"] })
      .where(and(eq(events.workspaceId, inWs.workspaceId), eq(events.userId, "user_05")));
  }, 120_000);
  afterAll(() => database?.close());

  it("end users: sorted, searched, paged, with block state (own and org)", async () => {
    const page1 = await caller.endUsers.list({ ...inWs, sort: "requests", dir: "desc", pageSize: 10 });
    expect(page1.total).toBe(30);
    expect(page1.rows.map((r) => r.requests)).toEqual([30, 29, 28, 27, 26, 25, 24, 23, 22, 21]);
    const page3 = await caller.endUsers.list({ ...inWs, sort: "requests", dir: "desc", pageSize: 10, page: 3 });
    expect(page3.rows.at(-1)).toMatchObject({ userId: "user_00", requests: 1 });
    const beyond = await caller.endUsers.list({ ...inWs, pageSize: 10, page: 9 });
    expect(beyond).toMatchObject({ rows: [], total: 30 });
    expect((await caller.endUsers.list({ ...inWs, search: "user_1" })).total).toBe(10);
    // LIKE wildcards are literal in a search.
    expect((await caller.endUsers.list({ ...inWs, search: "user%" })).total).toBe(0);
    expect((await caller.endUsers.list({ ...inWs, search: "ORG_ODD" })).total).toBe(15);
    const byId = await caller.endUsers.list({ ...inWs, sort: "userId", dir: "asc", pageSize: 2 });
    expect(byId.rows.map((r) => r.userId)).toEqual(["user_00", "user_01"]);
    expect(typeof byId.rows[0]!.costNanos).toBe("string");

    const until = new Date(now.getTime() + 2 * HOUR).toISOString();
    await createBlock({ ctx: ws.ctx, input: { userId: "user_03", expiresAt: until } });
    await createBlock({ ctx: ws.ctx, input: { orgId: "org_odd" } });
    const blocked = await caller.endUsers.list({ ...inWs, blockedOnly: true, sort: "userId", dir: "asc", pageSize: 100 });
    expect(blocked.total).toBe(15);
    expect(blocked.rows.find((r) => r.userId === "user_03")).toMatchObject({ blocked: true, blockedUntil: null }); // the org block has no expiry
    const user = await caller.endUsers.get({ ...inWs, userId: "user_03" });
    expect(user.blocks.map((b) => b.userId ?? b.orgId).sort()).toEqual(["org_odd", "user_03"]);
  });

  it("end user detail: totals and label counts; unknown users are NOT_FOUND", async () => {
    const u = await caller.endUsers.get({ ...inWs, userId: "user_05" });
    expect(u).toMatchObject({ seen: true, requests: 6, labels: [{ label: "frustration", count: 6 }] });
    const sum = (await caller.events.list({ ...inWs, userId: "user_05" })).rows.reduce((s, e) => s + BigInt(e.costNanos), 0n);
    expect(u.costNanos).toBe(sum.toString());
    await expect(caller.endUsers.get({ ...inWs, userId: "nobody" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("events: cursor pages cover every event once, newest first; filters combine", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await caller.events.list({ ...inWs, limit: 100, cursor });
      seen.push(...page.rows.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(465);
    expect(new Set(seen).size).toBe(465);
    expect([...seen].sort().reverse()).toEqual(seen);

    const custom = await caller.events.list({ ...inWs, model: "my-custom-model", limit: 200 });
    expect(custom.rows.every((e) => e.model === "My-Custom-Model" && !e.priced)).toBe(true);
    const labelled = await caller.events.list({ ...inWs, label: "frustration" });
    expect(labelled.rows).toHaveLength(6);
    const chatOf29 = await caller.events.list({ ...inWs, userId: "user_29", feature: "chat", limit: 200 });
    expect(chatOf29.rows).toHaveLength(15);
    // [from, to): the last 3 hours hold the calls made 1, 2 and 3 hours ago.
    const recent = await caller.events.list({ ...inWs, userId: "user_29", from: new Date(now.getTime() - 3 * HOUR - 1), to: now });
    expect(recent.rows).toHaveLength(3);
    await expect(caller.events.list({ ...inWs, from: now, to: new Date(now.getTime() - 1) })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("events CSV: the filter's rows, exact costs, formulas defused", async () => {
    await recordEvent({ ctx: ws.ctx, input: { userId: "=HYPERLINK(1)", model: "gpt-4o-mini", usage: usage(10) } });
    const csv = await caller.events.exportCsv({ ...inWs, userId: "user_02" });
    const lines = csv.trim().split("\n");
    expect(lines[0]).toMatch(/^time,id,request_id,user_id,/);
    expect(lines).toHaveLength(4);
    expect(await caller.events.exportCsv({ ...inWs, userId: "=HYPERLINK(1)" })).toContain(",'=HYPERLINK(1),");
  });

  it("overview: totals equal the events, top lists, unpriced counted, label counts", async () => {
    const o = await caller.dashboard.overview({
      ...inWs,
      from: new Date(now.getTime() - 2 * 86_400_000),
      to: new Date(now.getTime() + HOUR),
    });
    expect(o.interval).toBe("day");
    expect(o.totals.requests).toBe(466);
    const all = await caller.events.exportCsv(inWs);
    const costs = all
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(",")[14]!);
    const toNanos = (usd: string) => {
      const [whole, frac = ""] = usd.split(".");
      return BigInt(whole!) * 1_000_000_000n + BigInt(frac.padEnd(9, "0"));
    };
    const nanos = costs.reduce((s, c) => s + toNanos(c), 0n);
    expect(BigInt(o.totals.costNanos)).toBe(nanos);
    expect(o.totals.unpricedRequests).toBe((await caller.events.list({ ...inWs, model: "my-custom-model", limit: 200 })).rows.length);
    expect(o.topUsers[0]!.key).toBe("user_29");
    expect(o.topFeatures.map((f) => f.key).sort()).toEqual(["chat", "search"]);
    expect(o.labels).toEqual([{ label: "frustration", events: 6, endUsers: 1 }]);
    const hourly = await caller.dashboard.overview({ ...inWs, from: new Date(now.getTime() - 24 * HOUR), to: now });
    expect(hourly.interval).toBe("hour");
  });

  it("payloads: shown with the event while logging is on, and the workspace's setting is reported", async () => {
    await caller.settings.update({ ...inWs, payloadLogging: true });
    const rec = await recordEvent({
      ctx: ws.ctx,
      input: { userId: "talker", model: "gpt-4o-mini", usage: usage(5), input: "mail me at jo@example.com", output: "ok" },
    });
    const e = await caller.events.get({ ...inWs, id: rec.id });
    expect(e.payloadLogging).toBe(true);
    expect(e.payloads).toHaveLength(1);
    expect(JSON.stringify(e.payloads[0]!.request)).not.toContain("jo@example.com"); // redacted by default
    await caller.settings.update({ ...inWs, payloadLogging: false });
    expect((await caller.events.get({ ...inWs, id: rec.id })).payloadLogging).toBe(false);
    const audit = await database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, inWs.workspaceId), eq(auditLogs.action, "workspace.settings")));
    expect(audit.length).toBeGreaterThanOrEqual(2);
  });

  it("members: invitation links for one e-mail, once; role rules keep an owner", async () => {
    const invitee = (
      await database.db
        .insert(members)
        .values({ id: newId("mem"), email: "invitee@example.com", emailVerifiedAt: new Date() })
        .returning()
    )[0]!;
    const other = (
      await database.db
        .insert(members)
        .values({ id: newId("mem"), email: "other@example.com" })
        .returning()
    )[0]!;
    const inv = await caller.members.invite({ ...inWs, email: "Invitee@Example.com", role: "admin" });
    expect(inv.token).toMatch(/^inv_/);
    const anon = createCaller({ db: database.db, memberId: null });
    expect(await anon.members.previewInvitation({ token: inv.token })).toMatchObject({
      workspaceName: "Reads",
      email: "invitee@example.com",
      role: "admin",
    });
    await expect(anon.members.acceptInvitation({ token: inv.token })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const asOther = createCaller({ db: database.db, memberId: other.id });
    await expect(asOther.members.acceptInvitation({ token: inv.token })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const asInvitee = createCaller({ db: database.db, memberId: invitee.id });
    expect(await asInvitee.members.acceptInvitation({ token: inv.token })).toEqual({ workspaceId: inWs.workspaceId, role: "admin" });
    await expect(asInvitee.members.acceptInvitation({ token: inv.token })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(anon.members.previewInvitation({ token: `inv_${"x".repeat(43)}` })).rejects.toMatchObject({ code: "NOT_FOUND" });

    // An admin cannot make or unmake owners; an owner cannot leave the workspace ownerless.
    await expect(asInvitee.members.invite({ ...inWs, email: "boss@example.com", role: "owner" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(asInvitee.members.changeRole({ ...inWs, memberId: ws.member.id, role: "viewer" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(asInvitee.members.remove({ ...inWs, memberId: ws.member.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(caller.members.changeRole({ ...inWs, memberId: ws.member.id, role: "admin" })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await caller.members.changeRole({ ...inWs, memberId: invitee.id, role: "viewer" })).toEqual({
      memberId: invitee.id,
      role: "viewer",
    });
    await expect(
      asInvitee.rules.create({ ...inWs, name: "x", scope: "user", metric: "requests", window: "day", limit: 1 }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await caller.members.remove({ ...inWs, memberId: invitee.id })).toEqual({ memberId: invitee.id, removed: true });
    await expect(asInvitee.members.list(inWs)).rejects.toMatchObject({ code: "NOT_FOUND" });

    // Expired links are refused; revoked ones vanish.
    const late = await caller.members.invite({ ...inWs, email: "late@example.com" });
    await database.db
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.id, late.id));
    await expect(anon.members.previewInvitation({ token: late.token })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const revoked = await caller.members.invite({ ...inWs, email: "gone@example.com" });
    await caller.members.revokeInvitation({ ...inWs, id: revoked.id });
    expect((await caller.members.invitations(inWs)).map((i) => i.id)).not.toContain(revoked.id);
    const actions = (
      await database.db.select({ a: auditLogs.action }).from(auditLogs).where(eq(auditLogs.workspaceId, inWs.workspaceId))
    ).map((r) => r.a);
    for (const a of ["invitation.create", "invitation.accept", "invitation.revoke", "member.role", "member.remove"])
      expect(actions).toContain(a);
  });
});
