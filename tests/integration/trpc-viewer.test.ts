import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { createCaller } from "@/server/api/root";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { allProcedures, callPath, populatedWorkspace, sampleInputs, type Populated } from "../helpers/trpc-samples";

describe.each(TEST_DRIVERS)("a viewer reads everything and changes nothing (%s)", (driver) => {
  let database: Database;
  let w: Populated;
  let asViewer: ReturnType<typeof createCaller>;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    w = await populatedWorkspace(database.db, "Viewed");
    asViewer = createCaller({ db: database.db, memberId: w.viewerId });
  }, 60_000);
  afterAll(() => database?.close());

  it("every workspace mutation answers FORBIDDEN", async () => {
    const mutations = allProcedures().filter((p) => p.workspaceScoped && p.type === "mutation");
    expect(mutations.length).toBeGreaterThan(12);
    const inputs = sampleInputs(w);
    const codes: Record<string, string> = {};
    for (const p of mutations) {
      const result = await callPath(asViewer, p.path, { ...(inputs[p.path] ?? {}), workspaceId: w.workspaceId }).then(
        () => "succeeded",
        (err: unknown) => (err instanceof TRPCError ? err.code : String(err)),
      );
      codes[p.path] = result;
    }
    expect(Object.entries(codes).filter(([, code]) => code !== "FORBIDDEN")).toEqual([]);
  });

  it("every workspace query works for the viewer", async () => {
    const inputs = sampleInputs(w);
    for (const p of allProcedures().filter((x) => x.workspaceScoped && x.type === "query")) {
      const call = callPath(asViewer, p.path, { ...(inputs[p.path] ?? {}), workspaceId: w.workspaceId });
      // Queries without a sample input here may want more input: past the ladder, that is all they may say.
      if (p.path in inputs) await expect(call, p.path).resolves.toBeDefined();
      else await call.catch((err: unknown) => expect(err instanceof TRPCError ? err.code : err, p.path).toBe("BAD_REQUEST"));
    }
    expect((await asViewer.workspace.get({ workspaceId: w.workspaceId })).role).toBe("viewer");
  });

  it("nothing changed", async () => {
    const asOwner = createCaller({ db: database.db, memberId: w.ownerId });
    const inW = { workspaceId: w.workspaceId };
    expect((await asOwner.workspace.get(inW)).name).toBe("Viewed");
    expect(await asOwner.rules.list(inW)).toMatchObject([{ id: w.ruleId, limit: 50 }]);
    expect((await asOwner.blocklist.list({ ...inW, includeExpired: true })).map((b) => b.id)).toEqual([w.blockId]);
    expect(await asOwner.apiKeys.list(inW)).toHaveLength(1);
    expect((await asOwner.members.list(inW)).map((m) => [m.memberId, m.role])).toEqual([
      [w.ownerId, "owner"],
      [w.viewerId, "viewer"],
    ]);
    expect((await asOwner.members.invitations(inW)).map((i) => i.id)).toEqual([w.invitationId]);
    expect((await asOwner.settings.get(inW)).payloadLogging).toBe(true);
  });
});
