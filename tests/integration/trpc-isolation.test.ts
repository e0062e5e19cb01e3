import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { createCaller } from "@/server/api/root";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { allProcedures, callPath, populatedWorkspace, sampleInputs, type Populated } from "../helpers/trpc-samples";

// Procedures that take no workspaceId, each with the reason it cannot read another workspace.
const NOT_WORKSPACE_SCOPED: Record<string, string> = {
  "auth.signUp": "creates a new member and workspace; reads nothing",
  "auth.emailStatus": "the caller's own e-mail and whether it is verified",
  "auth.resendVerification": "mails the caller's own address",
  "auth.inspectVerification": "needs the secret link token; says only whether it is live, used or expired",
  "auth.verifyEmail": "needs the secret link token, and spends only the caller's own",
  "workspace.mine": "lists the caller's own memberships (asserted below)",
  "members.previewInvitation": "needs the secret link token (asserted below)",
  "members.acceptInvitation": "needs the token and the invited e-mail (asserted below)",
};

describe.each(TEST_DRIVERS)("a member of workspace A cannot read or change workspace B through tRPC (%s)", (driver) => {
  let database: Database;
  let a: Populated;
  let b: Populated;
  let asA: ReturnType<typeof createCaller>;
  let asB: ReturnType<typeof createCaller>;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    a = await populatedWorkspace(database.db, "Alpha");
    b = await populatedWorkspace(database.db, "Bravo");
    asA = createCaller({ db: database.db, memberId: a.ownerId });
    asB = createCaller({ db: database.db, memberId: b.ownerId });
  }, 60_000);
  afterAll(() => database?.close());

  it("every procedure is either workspace-scoped or explicitly accounted for", () => {
    const unclassified = allProcedures().filter((p) => !p.workspaceScoped && !(p.path in NOT_WORKSPACE_SCOPED));
    expect(unclassified.map((p) => p.path)).toEqual([]);
  });

  it("every workspace-scoped procedure answers NOT_FOUND/FORBIDDEN to A with B's workspaceId and B's object ids", async () => {
    const procedures = allProcedures().filter((p) => p.workspaceScoped);
    expect(procedures.length).toBeGreaterThan(25);
    const inputs = sampleInputs(b);
    const outcomes: Record<string, string> = {};
    for (const p of procedures) {
      const input = { ...(inputs[p.path] ?? {}), workspaceId: b.workspaceId };
      const leaked = await callPath(asA, p.path, input).then(
        (data) => data,
        (err: unknown) => {
          expect(err, p.path).toBeInstanceOf(TRPCError);
          outcomes[p.path] = (err as TRPCError).code;
          // The ladder refused, before any service ran: no message names B's data.
          expect((err as TRPCError).message, p.path).toBe("Workspace not found");
          return undefined;
        },
      );
      expect(leaked, `${p.path} returned B's data to A`).toBeUndefined();
    }
    expect(Object.entries(outcomes).filter(([, code]) => code !== "NOT_FOUND" && code !== "FORBIDDEN")).toEqual([]);
    expect(Object.keys(outcomes).sort()).toEqual(procedures.map((p) => p.path).sort());
  });

  it("the same queries with the same inputs succeed for B's own member (the refusals above are the ladder's)", async () => {
    const inputs = sampleInputs(b);
    for (const p of allProcedures().filter((x) => x.workspaceScoped && x.type === "query")) {
      const call = callPath(asB, p.path, { ...(inputs[p.path] ?? {}), workspaceId: b.workspaceId });
      // Queries without a sample input here may want more input: past the ladder, that is all they may say.
      if (p.path in inputs) await expect(call, p.path).resolves.toBeDefined();
      else await call.catch((err: unknown) => expect((err as TRPCError).code, p.path).toBe("BAD_REQUEST"));
    }
    const get = await asB.events.get({ workspaceId: b.workspaceId, id: b.eventId });
    expect(get.payloads[0]?.request).toEqual({ input: "secret prompt of Bravo" });
  });

  it("A's own workspaceId with B's object ids finds nothing of B's", async () => {
    const inA = { workspaceId: a.workspaceId };
    const notFound = async (p: Promise<unknown>, label: string) => {
      await expect(p, label).rejects.toMatchObject({ code: "NOT_FOUND" });
    };
    await notFound(asA.events.get({ ...inA, id: b.eventId }), "events.get");
    await notFound(asA.endUsers.get({ ...inA, userId: b.userId }), "endUsers.get");
    await notFound(asA.rules.update({ ...inA, id: b.ruleId, patch: { limit: 1 } }), "rules.update");
    await notFound(asA.rules.delete({ ...inA, id: b.ruleId }), "rules.delete");
    await notFound(asA.blocklist.delete({ ...inA, id: b.blockId }), "blocklist.delete");
    await notFound(asA.apiKeys.revoke({ ...inA, id: b.keyId }), "apiKeys.revoke");
    await notFound(asA.members.changeRole({ ...inA, memberId: b.viewerId, role: "admin" }), "members.changeRole");
    await notFound(asA.members.remove({ ...inA, memberId: b.viewerId }), "members.remove");
    await notFound(asA.members.revokeInvitation({ ...inA, id: b.invitationId }), "members.revokeInvitation");
    expect(await asA.blocklist.unblock({ ...inA, subjectType: "user", subjectId: b.blockedUser })).toEqual({ removed: 0 });
    expect((await asA.events.list({ ...inA, userId: b.userId })).rows).toEqual([]);
    expect((await asA.endUsers.list({ ...inA, search: b.userId })).rows).toEqual([]);
    expect(await asA.events.exportCsv({ ...inA, userId: b.userId })).not.toContain(b.userId);
    const range = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 60_000) };
    expect((await asA.usage.query({ ...inA, ...range, dimension: "user", key: b.userId })).totals.requests).toBe(0);
  });

  it("memberships, invitation links and B's data are as before", async () => {
    expect((await asA.workspace.mine()).map((w) => w.id)).toEqual([a.workspaceId]);
    // A holding B's link cannot join B: the invitation is for another e-mail.
    await expect(asA.members.acceptInvitation({ token: b.invitationToken })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await asA.workspace.mine()).map((w) => w.id)).toEqual([a.workspaceId]);

    const inB = { workspaceId: b.workspaceId };
    expect((await asB.workspace.get(inB)).name).toBe("Bravo");
    expect(await asB.rules.list(inB)).toMatchObject([{ id: b.ruleId, limit: 50 }]);
    expect((await asB.blocklist.list({ ...inB, includeExpired: false })).map((x) => x.id)).toEqual([b.blockId]);
    expect((await asB.apiKeys.list(inB)).every((k) => k.revokedAt === null)).toBe(true);
    expect((await asB.members.list(inB)).map((m) => m.role).sort()).toEqual(["owner", "viewer"]);
    expect((await asB.members.invitations(inB)).map((i) => i.id)).toEqual([b.invitationId]);
    expect((await asB.settings.get(inB)).payloadLogging).toBe(true);
  });
});
