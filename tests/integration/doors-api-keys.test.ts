import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { resultRows } from "@/db/client";
import { apiKeys, auditLogs, idempotencyKeys, invitations } from "@/db/schema";
import { OPERATIONS } from "@/server/http/api-v1/operations";
import { apiDoor, sdkDoor } from "@/server/http/doors";
import { createApiKey } from "@/server/services/api-keys/manage-api-keys";
import { signUp } from "@/server/services/auth/accounts";
import { verifyEmail } from "@/server/services/auth/email-verification";
import type { ServiceCtx } from "@/server/services/context";
import { runHousekeeping } from "@/server/services/maintenance/housekeeping";
import { acceptInvitation, createInvitation } from "@/server/services/members/invitations";
import { changeMemberRole, removeMember } from "@/server/services/members/manage-members";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

const boot = globalThis as { __tokenistBoot?: Promise<unknown> };

/** One REST operation, called in-process as Next would call the route. */
async function call(
  operationId: string,
  key: string,
  init: { body?: unknown; params?: Record<string, string>; headers?: Record<string, string> } = {},
) {
  const op = OPERATIONS.find((o) => o.operationId === operationId)!;
  const path = op.path.replace(/\{(\w+)\}/g, (_, k: string) => init.params![k]!);
  const req = new Request(`http://local${path}`, {
    method: op.method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const door = op.scope === "sdk" ? sdkDoor : apiDoor;
  const res = await door(op)(req, { params: Promise.resolve(init.params ?? {}) });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

describe.each(TEST_DRIVERS)("API keys, members and Idempotency-Key secrets on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    boot.__tokenistBoot = Promise.resolve(database.db); // the doors' boot() hands them this database
  });
  afterAll(async () => {
    boot.__tokenistBoot = undefined;
    await database.close();
  });

  it("M2: a replayed POST /api/v1/api-keys answers the same id without the key, and the stored answer holds no secret", async () => {
    const { ctx, apiKey } = await createTestWorkspace(database.db);
    const headers = { "idempotency-key": "mint-once" };
    const first = await call("createApiKey", apiKey, { body: { name: "ci", scopes: ["sdk"] }, headers });
    expect(first.status).toBe(201);
    expect(first.body.key).toMatch(/^ug_[A-Za-z0-9]{32}$/);
    expect(first.headers.get("secret-omitted")).toBeNull();

    const [stored] = resultRows<{ body: string }>(
      await database.db.execute(
        sql`select body::text as body from idempotency_keys where workspace_id = ${ctx.workspaceId} and key = 'mint-once'`,
      ),
    );
    expect(stored!.body).not.toContain(first.body.key);
    expect(stored!.body).not.toMatch(/ug_[A-Za-z0-9_]{5,}/); // only the 7-character start that lists show ("ug_Ab3d")
    expect(JSON.parse(stored!.body)).toMatchObject({ id: first.body.id, key: null });

    const replay = await call("createApiKey", apiKey, { body: { name: "ci", scopes: ["sdk"] }, headers });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.headers.get("secret-omitted")).toMatch(/^key; shown only in the first answer/);
    expect(replay.body).toMatchObject({ id: first.body.id, name: "ci", start: first.body.start, key: null });
    const keys = await database.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.workspaceId, ctx.workspaceId), eq(apiKeys.name, "ci")));
    expect(keys).toHaveLength(1); // replayed, not minted twice
  });

  it("M2: a replayed webhook channel keeps no signing secret; housekeeping purges answers older than 24 h", async () => {
    const { ctx, apiKey } = await createTestWorkspace(database.db, "Growth", "growth");
    const body = { type: "webhook", name: "hook", url: "http://93.184.216.34/hook" }; // a public literal: no DNS
    const headers = { "idempotency-key": "channel-once" };
    const first = await call("createAlertChannel", apiKey, { body, headers });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.config.secret).toMatch(/^whsec_/);
    const replay = await call("createAlertChannel", apiKey, { body, headers });
    expect(replay.body).toMatchObject({ id: first.body.id, config: { url: "http://93.184.216.34/hook", secret: null } });
    expect(replay.headers.get("secret-omitted")).toMatch(/^config\.secret;/);
    const [row] = await database.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.workspaceId, ctx.workspaceId), eq(idempotencyKeys.key, "channel-once")));
    expect(JSON.stringify(row!.body)).not.toContain("whsec_");

    // A day later the rows are gone (and a retry would run again).
    await database.db
      .update(idempotencyKeys)
      .set({ createdAt: new Date(Date.now() - 25 * 3600_000) })
      .where(eq(idempotencyKeys.workspaceId, ctx.workspaceId));
    const swept = await runHousekeeping(database.db);
    expect(swept.idempotency).toBeGreaterThanOrEqual(1);
    expect(await database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.workspaceId, ctx.workspaceId))).toEqual([]);
  });

  it("M3: a key mints only keys with scopes it holds itself: a write-only key cannot create a read key", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    const writeOnly = await createApiKey({ ctx, input: { name: "write only", scopes: ["write"] } });
    const refused = await call("createApiKey", writeOnly.key, { body: { name: "escalate", scopes: ["read"] } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/lacks "read"/);
    const alsoRefused = await call("createApiKey", writeOnly.key, { body: { name: "escalate", scopes: ["write", "sdk"] } });
    expect(alsoRefused.status).toBe(403);
    const same = await call("createApiKey", writeOnly.key, { body: { name: "peer", scopes: ["write"] } });
    expect(same.status).toBe(201);
    expect(
      await database.db
        .select({ name: apiKeys.name })
        .from(apiKeys)
        .where(and(eq(apiKeys.workspaceId, ctx.workspaceId), eq(apiKeys.name, "escalate"))),
    ).toEqual([]);
  });

  /** A second member who joined `ctx`'s workspace as `role` through an invitation. */
  async function join(ctx: ServiceCtx, role: "admin" | "viewer" | "owner") {
    const email = `m-${Math.random().toString(36).slice(2, 10)}@example.com`;
    const { member, verificationToken } = await signUp(database.db, { email, password: "correct horse battery", workspaceName: "Own" });
    await verifyEmail(database.db, member.id, verificationToken); // only verified members accept invitations
    const invitation = await createInvitation({ ctx, actorRole: "owner", input: { email, role } });
    await acceptInvitation(database.db, member.id, invitation.token);
    return { memberId: member.id, ctx: { ...ctx, actor: { type: "member", id: member.id } } as ServiceCtx };
  }

  const keyWorks = async (key: string) => (await call("listApiKeys", key)).status === 200;

  it("M3: removing a member revokes the keys they created (and those their keys minted) and withdraws their invitations, audited", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    const admin = await join(ctx, "admin");
    const own = await createApiKey({ ctx: admin.ctx, input: { name: "admin's", scopes: ["read", "write"] } });
    const minted = await call("createApiKey", own.key, { body: { name: "minted by admin's key", scopes: ["read"] } });
    expect(minted.status).toBe(201);
    const ownerKey = await createApiKey({ ctx, input: { name: "owner's", scopes: ["read"] } });
    const pending = await createInvitation({ ctx: admin.ctx, actorRole: "admin", input: { email: "friend@example.com", role: "admin" } });
    expect([await keyWorks(own.key), await keyWorks(minted.body.key)]).toEqual([true, true]);

    expect(await removeMember({ ctx, actorRole: "owner", memberId: admin.memberId })).toEqual({ memberId: admin.memberId, removed: true });

    expect([await keyWorks(own.key), await keyWorks(minted.body.key), await keyWorks(ownerKey.key)]).toEqual([false, false, true]);
    const revoked = await database.db
      .select({ id: apiKeys.id, revokedAt: apiKeys.revokedAt })
      .from(apiKeys)
      .where(eq(apiKeys.createdBy, admin.memberId));
    expect(revoked.map((k) => k.id).sort()).toEqual([own.id, minted.body.id].sort());
    expect(revoked.every((k) => k.revokedAt)).toBe(true);
    expect(await database.db.select().from(invitations).where(eq(invitations.id, pending.id))).toEqual([]);
    const audit = await database.db
      .select({ action: auditLogs.action, targetId: auditLogs.targetId, data: auditLogs.data })
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, ctx.workspaceId), sql`${auditLogs.data}->>'reason' = 'member.remove'`));
    expect(audit.map((a) => `${a.action} ${a.targetId}`).sort()).toEqual(
      [`api_key.revoke ${own.id}`, `api_key.revoke ${minted.body.id}`, `invitation.revoke ${pending.id}`].sort(),
    );
  });

  it("M3: demoting a member below admin revokes their keys and invitations; owner → admin keeps them", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    const admin = await join(ctx, "admin");
    const coOwner = await join(ctx, "owner");
    const adminKey = await createApiKey({ ctx: admin.ctx, input: { name: "admin's", scopes: ["read"] } });
    const ownerKey = await createApiKey({ ctx: coOwner.ctx, input: { name: "co-owner's", scopes: ["read"] } });
    const pending = await createInvitation({ ctx: admin.ctx, actorRole: "admin", input: { email: "later@example.com", role: "viewer" } });

    await changeMemberRole({ ctx, actorRole: "owner", input: { memberId: coOwner.memberId, role: "admin" } });
    expect(await keyWorks(ownerKey.key)).toBe(true); // still allowed to change the workspace

    expect(await changeMemberRole({ ctx, actorRole: "owner", input: { memberId: admin.memberId, role: "viewer" } })).toEqual({
      memberId: admin.memberId,
      role: "viewer",
    });
    expect(await keyWorks(adminKey.key)).toBe(false);
    expect(await database.db.select().from(invitations).where(eq(invitations.id, pending.id))).toEqual([]);
    const [audit] = await database.db
      .select({ data: auditLogs.data })
      .from(auditLogs)
      .where(and(eq(auditLogs.targetId, adminKey.id), eq(auditLogs.action, "api_key.revoke")));
    expect(audit!.data).toMatchObject({ reason: "member.role", memberId: admin.memberId });
  });
});
