import { and, asc, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { members, memberships, ROLES, type Role } from "@/db/schema";
import { writeAudit } from "../audit/write-audit";
import { withTransaction, type ServiceCtx } from "../context";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors";
import { revokeAdminKeysOfMember, revokeKeysOfMember } from "../api-keys/manage-api-keys";
import { can } from "../core/permissions";
import { clearApiKeyCache } from "../api-keys/resolve-api-key";
import { revokeInvitationsOf } from "./invitations";

export const ZChangeRole = z.object({ memberId: z.string().min(1), role: z.enum(ROLES) });
export const ZMemberId = z.object({ memberId: z.string().min(1) });

/** The members of the workspace with their roles, owners first. */
export async function listMembers({ ctx }: { ctx: ServiceCtx }) {
  const rows = await ctx.db
    .select({
      memberId: members.id,
      email: members.email,
      name: members.name,
      role: memberships.role,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(members, eq(members.id, memberships.memberId))
    .where(eq(memberships.workspaceId, ctx.workspaceId))
    .orderBy(
      sql`case ${memberships.role} when 'owner' then 0 when 'admin' then 1 when 'developer' then 2 else 3 end`,
      asc(memberships.createdAt),
    );
  return rows.map((r) => ({ ...r, joinedAt: r.joinedAt.toISOString() }));
}

async function lockMembership(tx: Queryable, workspaceId: string, memberId: string) {
  const [row] = await tx
    .select()
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.memberId, memberId)))
    .for("update");
  if (!row) throw new NotFoundError("Member not found");
  return row;
}

async function otherOwners(tx: Queryable, workspaceId: string, memberId: string) {
  const rows = await tx
    .select({ memberId: memberships.memberId })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, "owner"), ne(memberships.memberId, memberId)))
    .for("update");
  return rows.length;
}

/** Owners may change any role; admins only among admin, developer and viewer. A workspace keeps an owner. */
function assertMayChange(actorRole: Role, from: Role, to: Role) {
  if (!can(actorRole, "members.owner") && (from === "owner" || to === "owner")) {
    throw new ForbiddenError("Only an owner can grant or take the owner role");
  }
}

/**
 * A member whose new role no longer holds what they handed out takes it along, in the transaction
 * that removes or demotes them: without `apiKeys.manage` every key created on their authority is
 * revoked, without `apiKeys.admin` the `admin`-scoped ones; without `members.manage` their pending
 * invitations are withdrawn. `to` null: removed.
 */
async function withdrawAuthority(
  tx: Queryable,
  ctx: ServiceCtx,
  memberId: string,
  to: Role | null,
  reason: "member.remove" | "member.role",
) {
  const keys = !can(to, "apiKeys.manage")
    ? await revokeKeysOfMember(tx, ctx, memberId, reason)
    : !can(to, "apiKeys.admin")
      ? await revokeAdminKeysOfMember(tx, ctx, memberId, reason)
      : [];
  if (!can(to, "members.manage")) await revokeInvitationsOf(tx, ctx, memberId, reason);
  return keys.length;
}

export async function changeMemberRole({
  ctx,
  actorRole,
  input,
}: {
  ctx: ServiceCtx;
  actorRole: Role;
  input: z.input<typeof ZChangeRole>;
}) {
  const { memberId, role } = ZChangeRole.parse(input);
  const result = await withTransaction(ctx, async (tx) => {
    const current = await lockMembership(tx, ctx.workspaceId, memberId);
    assertMayChange(actorRole, current.role, role);
    if (current.role === "owner" && role !== "owner" && (await otherOwners(tx, ctx.workspaceId, memberId)) === 0) {
      throw new ConflictError("A workspace needs at least one owner: make someone else owner first");
    }
    await tx
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.workspaceId, ctx.workspaceId), eq(memberships.memberId, memberId)));
    await writeAudit(tx, {
      workspaceId: ctx.workspaceId,
      actor: ctx.actor,
      action: "member.role",
      targetType: "member",
      targetId: memberId,
      data: { from: current.role, to: role },
    });
    return { memberId, role, revokedKeys: await withdrawAuthority(tx, ctx, memberId, role, "member.role") };
  });
  if (result.revokedKeys) clearApiKeyCache(); // this process at once; the others on the config version
  return { memberId: result.memberId, role: result.role };
}

export async function removeMember({ ctx, actorRole, memberId }: { ctx: ServiceCtx; actorRole: Role; memberId: string }) {
  const revokedKeys = await withTransaction(ctx, async (tx) => {
    const current = await lockMembership(tx, ctx.workspaceId, memberId);
    if (current.role === "owner") {
      if (!can(actorRole, "members.owner")) throw new ForbiddenError("Only an owner can remove an owner");
      if ((await otherOwners(tx, ctx.workspaceId, memberId)) === 0) {
        throw new ConflictError("A workspace needs at least one owner: make someone else owner first");
      }
    }
    await tx.delete(memberships).where(and(eq(memberships.workspaceId, ctx.workspaceId), eq(memberships.memberId, memberId)));
    await writeAudit(tx, {
      workspaceId: ctx.workspaceId,
      actor: ctx.actor,
      action: "member.remove",
      targetType: "member",
      targetId: memberId,
      data: { role: current.role },
    });
    return withdrawAuthority(tx, ctx, memberId, null, "member.remove");
  });
  if (revokedKeys) clearApiKeyCache();
  return { memberId, removed: true };
}
