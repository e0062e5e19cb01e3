import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "@/db/schema";
import { can, PERMISSIONS, refusal, ROLE_ORDER, type Permission } from "@/server/services/core/permissions";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { TEST_DRIVERS } from "../helpers/db";
import { joinByInvitation } from "../helpers/members";
import { Session } from "../helpers/session";
import { allProcedures, sampleInputs, type SampleIds } from "../helpers/trpc-samples";

type Outcome = { status: number; code?: string; message?: string };

/**
 * The whole matrix over real HTTP: for every role and every workspace procedure, the call is
 * refused with FORBIDDEN (and the catalogue's own refusal) exactly when the catalogue says the role
 * lacks the procedure's declared permission; otherwise it gets past the check (whatever the
 * service then says about the sample input); never a 5xx. Queries run first for every role, then
 * mutations, viewer to owner, so no role's changes decide another's reads.
 */
describe.each(TEST_DRIVERS)("every role × every tRPC procedure over HTTP (%s)", (driver) => {
  let app: RunningApp;
  let ids: SampleIds;
  let workspaceId: string;
  const sessions = {} as Record<Role, Session>;

  const call = async (role: Role, path: string, type: string, input: unknown): Promise<Outcome> => {
    const res = await sessions[role].trpc(path, input, type === "query" ? "query" : "mutation");
    return { status: res.status, code: res.error?.data?.code, message: res.error?.message };
  };

  beforeAll(async () => {
    app = await startApp({ driver, env: { TOKENIST_INIT_PLAN: "growth" } });
    workspaceId = (await callApi(app, "/api/v1/workspace")).body.id;
    sessions.owner = await new Session(app.baseUrl).signIn(app.email, app.password);
    for (const role of ["admin", "developer", "viewer"] as const) {
      sessions[role] = (await joinByInvitation(app, { email: `${role}@example.com`, role })).session;
    }
    // The member the role changes and removals act on: never one of the sessions above.
    const target = await joinByInvitation(app, { email: "target@example.com", role: "viewer" });
    const ok = (res: { status: number; body: any }) => {
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      return res.body;
    };
    // A record is committed before /sdk/record answers: its event is listed at once.
    const recorded = ok(
      await callApi(app, "/sdk/record", {
        body: { userId: "matrix-user", model: "gpt-4o-mini", usage: { prompt_tokens: 10, completion_tokens: 5 } },
      }),
    );
    const rule = ok(
      await callApi(app, "/api/v1/rules", { body: { name: "matrix", scope: "user", metric: "requests", window: "day", limit: 50 } }),
    );
    const block = ok(await callApi(app, "/api/v1/blocklist", { body: { userId: "matrix-blocked" } }));
    const segment = ok(await callApi(app, "/api/v1/segments", { body: { name: "matrix", filter: { tier: "pro" } } }));
    const key = ok(await callApi(app, "/api/v1/api-keys", { body: { name: "to revoke", scopes: ["read"] } }));
    const invitation = ok(await callApi(app, "/api/v1/invitations", { body: { email: "pending@example.com", role: "viewer" } }));
    const policies = ok(await callApi(app, "/api/v1/label-policies"));
    const events: { data: Array<{ id: string }> } = ok(await callApi(app, "/api/v1/events?userId=matrix-user"));
    expect(events.data.map((e) => e.id)).toEqual([recorded.id]);
    ids = {
      userId: "matrix-user",
      blockedUser: "matrix-blocked",
      eventId: events.data[0]!.id,
      ruleId: rule.id,
      blockId: block.id,
      segmentId: segment.id,
      policyId: policies.data[0]?.id ?? "pol_missing",
      keyId: key.id,
      viewerId: target.memberId,
      invitationId: invitation.id,
    };
  }, 240_000);
  afterAll(() => app?.dispose());

  const walk = async (type: "query" | "mutation") => {
    const procedures = allProcedures().filter((p) => p.workspaceScoped && p.type === type);
    const inputs = sampleInputs(ids);
    const wrong: string[] = [];
    let allowed = 0;
    let refused = 0;
    for (const role of [...ROLE_ORDER].reverse()) {
      for (const p of procedures) {
        const permission = p.access as Permission;
        const out = await call(role, p.path, p.type, { ...(inputs[p.path] ?? {}), workspaceId });
        const label = `${role} ${p.path} (${permission}) → ${out.status} ${out.code ?? ""} ${out.message ?? ""}`;
        if (out.status >= 500) wrong.push(`5xx: ${label}`);
        else if (can(role, permission)) {
          if (out.code === "FORBIDDEN" && out.message === refusal(role, permission)) wrong.push(`refused: ${label}`);
          // A read the role may do, with its sample input, answers.
          else if (type === "query" && p.path in inputs && out.status !== 200) wrong.push(`failed: ${label}`);
          else allowed++;
        } else if (out.code !== "FORBIDDEN" || out.message !== refusal(role, permission)) wrong.push(`not refused: ${label}`);
        else refused++;
      }
    }
    return { wrong, allowed, refused, procedures };
  };

  it("every query: each role reads everything the catalogue lets it (all of them hold workspace.read)", async () => {
    const { wrong, allowed, refused, procedures } = await walk("query");
    expect(wrong).toEqual([]);
    expect(procedures.length).toBeGreaterThan(40);
    expect(procedures.every((p) => p.access === "workspace.read")).toBe(true);
    expect({ allowed, refused }).toEqual({ allowed: procedures.length * ROLE_ORDER.length, refused: 0 });
  });

  it("every mutation: allowed iff the role holds the declared permission, FORBIDDEN otherwise, never a 5xx", async () => {
    const { wrong, allowed, refused, procedures } = await walk("mutation");
    expect(wrong).toEqual([]);
    const expected = (role: Role) => procedures.filter((p) => can(role, p.access as Permission)).length;
    expect(allowed).toBe(ROLE_ORDER.reduce((n, r) => n + expected(r), 0));
    expect(refused).toBe(procedures.length * ROLE_ORDER.length - allowed);
    // The developer's line: rules, keys and alerts yes; members, billing and settings no.
    const byPermission = (perm: Permission) => procedures.filter((p) => p.access === perm).length;
    expect(expected("developer")).toBe(
      (Object.keys(PERMISSIONS) as Permission[]).filter((perm) => can("developer", perm)).reduce((n, perm) => n + byPermission(perm), 0),
    );
    expect(byPermission("members.manage")).toBeGreaterThan(0);
    expect(byPermission("billing.manage")).toBeGreaterThan(0);
    expect(byPermission("workspace.settings")).toBeGreaterThan(0);
  });

  it("a developer's keys: never the admin scope; a write key manages rules but not the workspace's settings", async () => {
    const dev = sessions.developer;
    const admin = await dev.trpc("apiKeys.create", { workspaceId, name: "dev admin", scopes: ["admin"] });
    expect(admin.error?.data?.code).toBe("FORBIDDEN");
    const write = await dev.trpc("apiKeys.create", { workspaceId, name: "dev write", scopes: ["read", "write"] });
    expect(write.status, JSON.stringify(write.error)).toBe(200);
    const asDev = { baseUrl: app.baseUrl, apiKey: write.data.key as string };
    const rule = await callApi(asDev, "/api/v1/rules", {
      body: { name: "dev rule", scope: "user", metric: "requests", window: "day", limit: 5 },
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    const settings = await callApi(asDev, "/api/v1/workspace", { method: "PATCH", body: { payloadLogging: true } });
    expect(settings.status, JSON.stringify(settings.body)).toBe(403);
    expect(settings.body.error.message).toBe("Only an owner or an admin can do this: this API key answers to a developer");
    // The operator's key answers to an owner: the same change goes through.
    expect((await callApi(app, "/api/v1/workspace", { method: "PATCH", body: { payloadLogging: true } })).status).toBe(200);
  });

  it("an admin demoted to developer loses their admin-scoped keys and invitations, keeps the others", async () => {
    const admin = await joinByInvitation(app, { email: "deputy@example.com", role: "admin" });
    const adminKey = await admin.session.trpc("apiKeys.create", { workspaceId, name: "deputy admin", scopes: ["admin"] });
    const writeKey = await admin.session.trpc("apiKeys.create", { workspaceId, name: "deputy write", scopes: ["write"] });
    expect([adminKey.status, writeKey.status]).toEqual([200, 200]);
    const invite = await admin.session.trpc("members.invite", { workspaceId, email: "deputy-guest@example.com", role: "developer" });
    expect(invite.status, JSON.stringify(invite.error)).toBe(200);
    const asAdminKey = { baseUrl: app.baseUrl, apiKey: adminKey.data.key as string };
    expect((await callApi(asAdminKey, "/api/v1/members")).status).toBe(200);

    const demoted = await callApi(app, `/api/v1/members/${admin.memberId}`, { method: "PATCH", body: { role: "developer" } });
    expect(demoted).toMatchObject({ status: 200, body: { id: admin.memberId, role: "developer" } });
    expect((await callApi(asAdminKey, "/api/v1/members")).status).toBe(401);
    const asWriteKey = { baseUrl: app.baseUrl, apiKey: writeKey.data.key as string };
    expect((await callApi(asWriteKey, "/api/v1/segments", { body: { name: "still mine", filter: { tier: "pro" } } })).status).toBe(201);
    const pending = (await callApi(app, "/api/v1/invitations")).body.data.map((i: { email: string }) => i.email);
    expect(pending).not.toContain("deputy-guest@example.com");
    const members = (await callApi(app, "/api/v1/members")).body.data as Array<{ id: string; role: string }>;
    expect(members.find((m) => m.id === admin.memberId)?.role).toBe("developer");
  });
});
