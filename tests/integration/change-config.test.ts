import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { auditLogs, rules, workspaces } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { bumpLabelVersion, changeConfig, configTransaction } from "@/server/services/core/change-config";
import { getWorkspaceState, STATE_TTL_MS, type WorkspaceState } from "@/server/services/core/workspace-state";
import type { ServiceCtx } from "@/server/services/context";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";

/** This process's cache, the same Map another process keeps of its own (see process-global.ts). */
const cache = () => (globalThis as unknown as Record<string, Map<string, WorkspaceState>>).__tokenist_workspaceStates!;

describe.each(TEST_DRIVERS)("changeConfig on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database.close());

  const versions = async (ctx: ServiceCtx) => {
    const [row] = await ctx.db
      .select({ config: workspaces.configVersion, labels: workspaces.labelVersion })
      .from(workspaces)
      .where(eq(workspaces.id, ctx.workspaceId));
    return row!;
  };
  const auditsOf = (ctx: ServiceCtx, action: string) =>
    ctx.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, ctx.workspaceId), eq(auditLogs.action, action)));
  const RULE = { action: "block", scope: "user", metric: "requests", window: "day", limitValue: 5n } as const;
  const addRule = (ctx: ServiceCtx, name: string) => async (tx: Queryable) => {
    const [row] = await tx
      .insert(rules)
      .values({ id: newId("rul"), workspaceId: ctx.workspaceId, name, ...RULE })
      .returning();
    return row!;
  };

  it("bumps the config version, writes the audit row and drops this process's copy", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    const before = await versions(ctx);
    expect((await getWorkspaceState(ctx.db, ctx.workspaceId)).rules).toHaveLength(0);
    const entry = (r: { id: string }) => ({ action: "test.create", targetType: "rule", targetId: r.id, data: { n: 1 } });
    const rule = await changeConfig(ctx, entry, addRule(ctx, "a"));
    expect(await versions(ctx)).toEqual({ config: before.config + 1, labels: before.labels });
    const [audit] = await auditsOf(ctx, "test.create");
    expect(audit).toMatchObject({ actorType: "member", actorId: ctx.actor.id, targetType: "rule", targetId: rule.id, data: { n: 1 } });
    // Within the TTL, yet this process sees the change at once.
    expect((await getWorkspaceState(ctx.db, ctx.workspaceId)).rules.map((r) => r.id)).toEqual([rule.id]);
  });

  it("another process's cached copy gives way to the new version after STATE_TTL_MS", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    const t0 = Date.now();
    const elsewhere = await getWorkspaceState(ctx.db, ctx.workspaceId, t0);
    await changeConfig(ctx, { action: "test.create" }, addRule(ctx, "b"));
    // Put the old copy back, as a process that was not told of the change still holds it.
    cache().set(ctx.workspaceId, elsewhere);
    expect((await getWorkspaceState(ctx.db, ctx.workspaceId, t0 + 1)).rules).toHaveLength(0);
    const later = await getWorkspaceState(ctx.db, ctx.workspaceId, t0 + STATE_TTL_MS);
    expect(later.rules.map((r) => r.name)).toEqual(["b"]);
  });

  it("a failed write bumps nothing and audits nothing; the error comes through unchanged", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    const before = await versions(ctx);
    const boom = new Error("refused");
    await expect(
      changeConfig(ctx, { action: "test.fail" }, async (tx) => {
        await addRule(ctx, "c")(tx);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await versions(ctx)).toEqual(before);
    expect(await auditsOf(ctx, "test.fail")).toHaveLength(0);
    expect((await getWorkspaceState(ctx.db, ctx.workspaceId)).rules).toHaveLength(0);
  });

  it("inside an outer config transaction: one commit, forgotten after it; label bumps make this process re-check", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    const before = await versions(ctx);
    await getWorkspaceState(ctx.db, ctx.workspaceId);
    await configTransaction(ctx.db, async (tx) => {
      await changeConfig({ tx, workspaceId: ctx.workspaceId, actor: ctx.actor }, { action: "test.nested" }, addRule(ctx, "d"));
      await bumpLabelVersion(tx, ctx.workspaceId);
    });
    expect(await versions(ctx)).toEqual({ config: before.config + 1, labels: before.labels + 1 });
    expect(await auditsOf(ctx, "test.nested")).toHaveLength(1);
    expect(cache().has(ctx.workspaceId)).toBe(false);

    const state = await getWorkspaceState(ctx.db, ctx.workspaceId);
    await configTransaction(ctx.db, (tx) => bumpLabelVersion(tx, ctx.workspaceId));
    expect(cache().get(ctx.workspaceId)).toBe(state);
    expect(state.checkedAt).toBe(-Infinity);
    expect((await getWorkspaceState(ctx.db, ctx.workspaceId)).labelVersion).toBe(before.labels + 2);
  });

  it("refuses a version bump in a transaction that would not forget the cache after its commit", async () => {
    const { ctx } = await createTestWorkspace(database.db);
    await expect(ctx.db.transaction((tx) => changeConfig({ ...ctx, tx }, { action: "test.raw" }, async () => {}))).rejects.toThrow(
      /configTransaction/,
    );
    expect(await auditsOf(ctx, "test.raw")).toHaveLength(0);
  });
});
