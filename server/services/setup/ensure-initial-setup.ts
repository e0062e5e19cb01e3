import { and, eq, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiKeys, members, memberships, workspaces, type Plan } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { writeAudit } from "../audit/write-audit";
import { SYSTEM } from "../context";
import { hashPassword, verifyPassword } from "../auth/password";
import { hashApiKey, keyStart } from "../api-keys/key-material";
import { insertWorkspace } from "../workspaces/workspaces";

export interface InitialSetup {
  email?: string;
  password?: string;
  workspace?: string;
  apiKey?: string;
  /** Set this plan on the workspace (self-hosted, billing off). */
  plan?: Plan;
}

/**
 * Headless start (shared/API.md): make sure the member, the workspace and the API key
 * named by TOKENIST_INIT_* exist. Idempotent, and safe when several processes start at once.
 */
export async function ensureInitialSetup(db: Db, init: InitialSetup) {
  if (!init.email) return null;
  const email = init.email.toLowerCase();
  const passwordHash = init.password ? await hashPassword(init.password) : null;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(727274002)`);
    let [member] = await tx.select().from(members).where(eq(members.email, email)).limit(1);
    if (!member) {
      // The operator named this address: it counts as verified.
      [member] = await tx
        .insert(members)
        .values({ id: newId("mem"), email, passwordHash, emailVerifiedAt: new Date() })
        .returning();
    } else if (init.password && !(member.passwordHash && (await verifyPassword(init.password, member.passwordHash)))) {
      await tx.update(members).set({ passwordHash }).where(eq(members.id, member.id));
    }
    const name = init.workspace || "Default workspace";
    let [workspace] = await tx
      .select({ id: workspaces.id })
      .from(workspaces)
      .innerJoin(memberships, eq(memberships.workspaceId, workspaces.id))
      .where(and(eq(memberships.memberId, member!.id), eq(workspaces.name, name)))
      .limit(1);
    workspace ??= await insertWorkspace(tx, { name, ownerId: member!.id, actor: SYSTEM });
    if (init.plan) {
      const [changed] = await tx
        .update(workspaces)
        .set({ plan: init.plan })
        .where(and(eq(workspaces.id, workspace.id), ne(workspaces.plan, init.plan)))
        .returning({ id: workspaces.id });
      if (changed) {
        const data = { plan: init.plan, source: "TOKENIST_INIT_PLAN" };
        await writeAudit(tx, {
          workspaceId: workspace.id,
          actor: SYSTEM,
          action: "billing.set_plan",
          targetType: "workspace",
          targetId: workspace.id,
          data,
        });
      }
    }
    if (init.apiKey) {
      const [created] = await tx
        .insert(apiKeys)
        .values({
          id: newId("key"),
          workspaceId: workspace.id,
          name: "Initial key (TOKENIST_INIT_API_KEY)",
          start: keyStart(init.apiKey),
          hash: hashApiKey(init.apiKey),
          scopes: ["sdk", "read", "write", "admin"],
        })
        .onConflictDoNothing({ target: apiKeys.hash })
        .returning({ id: apiKeys.id, name: apiKeys.name, scopes: apiKeys.scopes });
      if (created) {
        const data = { name: created.name, scopes: created.scopes, source: "TOKENIST_INIT_API_KEY" };
        await writeAudit(tx, {
          workspaceId: workspace.id,
          actor: SYSTEM,
          action: "api_key.create",
          targetType: "api_key",
          targetId: created.id,
          data,
        });
      }
    }
    return { memberId: member!.id, workspaceId: workspace.id };
  });
}
