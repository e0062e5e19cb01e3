import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiKeys, members, memberships, workspaces, type Plan } from "@/db/schema";
import { newId } from "@/server/lib/ids";
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
    if (init.plan) await tx.update(workspaces).set({ plan: init.plan }).where(eq(workspaces.id, workspace.id));
    if (init.apiKey) {
      await tx
        .insert(apiKeys)
        .values({
          id: newId("key"),
          workspaceId: workspace.id,
          name: "Initial key (TOKENIST_INIT_API_KEY)",
          start: keyStart(init.apiKey),
          hash: hashApiKey(init.apiKey),
          scopes: ["sdk", "read", "write"],
        })
        .onConflictDoNothing({ target: apiKeys.hash });
    }
    return { memberId: member!.id, workspaceId: workspace.id };
  });
}
