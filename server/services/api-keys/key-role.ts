import { and, eq, isNull } from "drizzle-orm";
import { apiKeys, type Role } from "@/db/schema";
import type { ServiceCtx } from "../context";
import { ForbiddenError } from "../errors";
import { getMemberRole } from "../core/member-role";
import { can, type Permission, whoMay } from "../core/permissions";

/**
 * The role an `admin`-scoped API key acts with on members, invitations and billing: the current
 * role of the member it answers to (its creator, or the member behind the key that created it),
 * so a key never does more than that member could in the dashboard. An owner's key may do what
 * only owners may (billing checkout and portal, granting or taking the owner role); an admin's
 * key what an admin may. The operator's start-up key (TOKENIST_INIT_API_KEY) answers to no
 * member: it acts as an owner, as the operator who set it could anyway. A member acting in
 * person (tRPC) has their role from the membership, not from here.
 */
export async function actingRole(ctx: ServiceCtx): Promise<Role> {
  if (ctx.actor.type !== "api_key") throw new ForbiddenError("Only an API key acts with a key's role");
  const [key] = await ctx.db
    .select({ createdBy: apiKeys.createdBy })
    .from(apiKeys)
    .where(and(eq(apiKeys.id, ctx.actor.id), eq(apiKeys.workspaceId, ctx.workspaceId), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!key) throw new ForbiddenError("This API key was revoked");
  if (key.createdBy === null) return "owner";
  const role = await getMemberRole(ctx.db, key.createdBy, ctx.workspaceId);
  // Removing or demoting the member revokes their keys in the same transaction; this is the backstop.
  if (!role || !can(role, "apiKeys.manage")) {
    throw new ForbiddenError("The member behind this API key may no longer manage this workspace");
  }
  return role;
}

/** What a procedure's declared permission asks of a key: the member it answers to must hold it. */
export async function requireKeyPermission(ctx: ServiceCtx, permission: Permission): Promise<Role> {
  const role = await actingRole(ctx);
  if (!can(role, permission)) {
    throw new ForbiddenError(`Only ${whoMay(permission)} can do this: this API key answers to ${role === "admin" ? "an" : "a"} ${role}`);
  }
  return role;
}
