import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { apiKeys, auditLogs, members, memberships, workspaces } from "@/db/schema";
import { countMigrations } from "@/db/client";
import { generateApiKey } from "@/server/services/api-keys/key-material";
import { createApiKey, listApiKeys, revokeApiKey } from "@/server/services/api-keys/manage-api-keys";
import { clearApiKeyCache, resolveApiKey } from "@/server/services/api-keys/resolve-api-key";
import { authenticate } from "@/server/services/auth/accounts";
import { ensureInitialSetup } from "@/server/services/setup/ensure-initial-setup";
import { renameWorkspace } from "@/server/services/workspaces/workspaces";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

describe.each(TEST_DRIVERS)("foundation services on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database.close());

  it("applies every migration", async () => {
    expect(await countMigrations(database.db)).toBeGreaterThan(0);
  });

  it("headless start is idempotent: no duplicate member, workspace or key", async () => {
    const key = generateApiKey();
    const init = { email: "Init@Example.com", password: "s3cret-pass", workspace: "Acme", apiKey: key };
    const first = await ensureInitialSetup(database.db, init);
    const second = await ensureInitialSetup(database.db, init);
    await Promise.all([ensureInitialSetup(database.db, init), ensureInitialSetup(database.db, init)]);
    expect(second).toEqual(first);
    const db = database.db;
    expect(await db.select().from(members).where(eq(members.email, "init@example.com"))).toHaveLength(1);
    expect(await db.select().from(memberships).where(eq(memberships.memberId, first!.memberId))).toHaveLength(1);
    expect(await db.select().from(apiKeys).where(eq(apiKeys.workspaceId, first!.workspaceId))).toHaveLength(1);
    const resolved = await resolveApiKey(db, key);
    expect(resolved).toMatchObject({ workspaceId: first!.workspaceId, scopes: ["sdk", "read", "write", "admin"] });
    expect(await authenticate(db, "init@example.com", "s3cret-pass")).not.toBeNull();
    expect(await authenticate(db, "init@example.com", "wrong-pass")).toBeNull();
  });

  it("stores API keys only as hashes, shows them once, and revoked keys stop working", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    const created = await createApiKey({ ctx, input: { name: "ci", scopes: ["sdk"] } });
    expect(created.key).toMatch(/^ug_[A-Za-z0-9]{32}$/);
    const [row] = await database.db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
    expect(row!.hash).not.toContain(created.key.slice(3));
    expect(JSON.stringify(await listApiKeys({ ctx }))).not.toContain(created.key);
    await expect(resolveApiKey(database.db, created.key)).resolves.toMatchObject({ keyId: created.id });
    await revokeApiKey({ ctx, input: { id: created.id } });
    clearApiKeyCache();
    await expect(resolveApiKey(database.db, created.key)).rejects.toMatchObject({ status: 401 });
    await expect(resolveApiKey(database.db, "ug_unknownkey1234567890")).rejects.toMatchObject({ status: 401 });
    await expect(resolveApiKey(database.db, "not-a-key")).rejects.toMatchObject({ status: 401 });
    await expect(resolveApiKey(database.db, null)).rejects.toMatchObject({ status: 401 });
  });

  it("requests that find a key's cache entry stale share one lookup; a revoke during it is not undone by its answer (a clear mid-lookup)", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    const created = await createApiKey({ ctx, input: { name: "shared", scopes: ["sdk"] } });
    let selects = 0;
    const counting = new Proxy(database.db, {
      get(target, prop, receiver) {
        if (prop === "select") selects++;
        return Reflect.get(target, prop, receiver);
      },
    });
    clearApiKeyCache();
    const answers = await Promise.all(Array.from({ length: 20 }, () => resolveApiKey(counting, created.key)));
    expect(answers.every((a) => a.keyId === created.id)).toBe(true);
    expect(selects).toBe(1);

    // A clear (what a revoke does) while a lookup is in flight: that lookup's answer, read before
    // the revoke could be seen, is not cached; the next request reads the key again.
    clearApiKeyCache();
    const inFlight = resolveApiKey(counting, created.key);
    clearApiKeyCache();
    await inFlight;
    await resolveApiKey(counting, created.key);
    expect(selects).toBe(3);
    await revokeApiKey({ ctx, input: { id: created.id } });
    await expect(resolveApiKey(counting, created.key)).rejects.toMatchObject({ status: 401 });
  });

  it("a workspace cannot revoke another workspace's key or rename it; audit rows are written", async () => {
    const a = await createTestWorkspace(database.db, "A");
    const b = await createTestWorkspace(database.db, "B");
    const bKey = await createApiKey({ ctx: b.ctx, input: { name: "b" } });
    await expect(revokeApiKey({ ctx: a.ctx, input: { id: bKey.id } })).rejects.toMatchObject({ status: 404 });
    clearApiKeyCache();
    await expect(resolveApiKey(database.db, bKey.key)).resolves.toMatchObject({ workspaceId: b.workspace.id });
    expect((await listApiKeys({ ctx: a.ctx })).map((k) => k.id)).not.toContain(bKey.id);
    await renameWorkspace({ ctx: a.ctx, input: { name: "A renamed" } });
    const [bRow] = await database.db.select().from(workspaces).where(eq(workspaces.id, b.workspace.id));
    expect(bRow!.name).toBe("B");
    const audit = await database.db.select().from(auditLogs).where(eq(auditLogs.workspaceId, a.workspace.id));
    expect(audit.map((r) => r.action)).toEqual(expect.arrayContaining(["workspace.create", "api_key.create", "workspace.rename"]));
  });
});
