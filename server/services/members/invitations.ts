import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db, Queryable } from "@/db/client";
import { invitations, members, memberships, ROLES, workspaces, type Role } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { writeAudit } from "../audit/write-audit";
import { withTransaction, type ServiceCtx } from "../context";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors";
import { can } from "../core/permissions";

export const INVITATION_TTL_MS = 7 * 24 * 3600_000;

export const ZCreateInvitation = z.object({
  email: z
    .email()
    .max(254)
    .transform((e) => e.toLowerCase()),
  role: z.enum(ROLES).default("viewer"),
});
export const ZInvitationToken = z.object({ token: z.string().regex(/^inv_[A-Za-z0-9_-]{32,64}$/, "not an invitation link") });

/** Tokens carry 256 random bits: a fast hash is enough (as for API keys). */
function hashToken(token: string) {
  return createHash("sha256").update(token).digest("hex");
}

function toInvitation(r: typeof invitations.$inferSelect) {
  return {
    id: r.id,
    email: r.email,
    role: r.role,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
  };
}

/** Invitations not yet accepted and not expired, newest first. */
export async function listInvitations({ ctx }: { ctx: ServiceCtx }) {
  const rows = await ctx.db
    .select()
    .from(invitations)
    .where(and(eq(invitations.workspaceId, ctx.workspaceId), isNull(invitations.acceptedAt), gt(invitations.expiresAt, new Date())))
    .orderBy(desc(invitations.createdAt))
    .limit(200);
  return rows.map(toInvitation);
}

/** Create an invitation; the token (the secret part of the link) is in the answer once. */
export async function createInvitation({
  ctx,
  actorRole,
  input,
}: {
  ctx: ServiceCtx;
  actorRole: Role;
  input: z.input<typeof ZCreateInvitation>;
}) {
  const { email, role } = ZCreateInvitation.parse(input);
  if (role === "owner" && !can(actorRole, "members.owner")) throw new ForbiddenError("Only an owner can invite an owner");
  const token = `inv_${randomBytes(32).toString("base64url")}`;
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .insert(invitations)
      .values({
        id: newId("inv"),
        workspaceId: ctx.workspaceId,
        email,
        role,
        tokenHash: hashToken(token),
        invitedBy: ctx.actor.id,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      })
      .returning();
    await writeAudit(tx, {
      workspaceId: ctx.workspaceId,
      actor: ctx.actor,
      action: "invitation.create",
      targetType: "invitation",
      targetId: row!.id,
      data: { email, role },
    });
    return { ...toInvitation(row!), token };
  });
}

export async function revokeInvitation({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .delete(invitations)
      .where(and(eq(invitations.id, id), eq(invitations.workspaceId, ctx.workspaceId), isNull(invitations.acceptedAt)))
      .returning({ id: invitations.id, email: invitations.email });
    if (!row) throw new NotFoundError(`Invitation ${id} not found`);
    await writeAudit(tx, {
      workspaceId: ctx.workspaceId,
      actor: ctx.actor,
      action: "invitation.revoke",
      targetType: "invitation",
      targetId: id,
      data: { email: row.email },
    });
    return { id, revoked: true };
  });
}

/**
 * In the caller's transaction: withdraw the pending invitations `memberId` sent (they were
 * removed or demoted below admin, and may no longer bring anyone in), one audit row each.
 */
export async function revokeInvitationsOf(tx: Queryable, ctx: ServiceCtx, memberId: string, reason: string): Promise<string[]> {
  const gone = await tx
    .delete(invitations)
    .where(and(eq(invitations.workspaceId, ctx.workspaceId), eq(invitations.invitedBy, memberId), isNull(invitations.acceptedAt)))
    .returning({ id: invitations.id, email: invitations.email });
  for (const row of gone) {
    await writeAudit(tx, {
      workspaceId: ctx.workspaceId,
      actor: ctx.actor,
      action: "invitation.revoke",
      targetType: "invitation",
      targetId: row.id,
      data: { email: row.email, reason, memberId },
    });
  }
  return gone.map((r) => r.id);
}

async function findInvitation(db: Db, token: string) {
  const [row] = await db
    .select({ invitation: invitations, workspaceName: workspaces.name })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .where(eq(invitations.tokenHash, hashToken(token)))
    .limit(1);
  if (!row || row.invitation.acceptedAt || row.invitation.expiresAt <= new Date()) {
    // One message for unknown, used and expired links: a link reveals nothing.
    throw new NotFoundError("This invitation link is invalid, used or expired");
  }
  return row;
}

/** What the invitation page shows before accepting: which workspace, for which e-mail, which role. */
export async function previewInvitation(db: Db, token: string) {
  const { invitation, workspaceName } = await findInvitation(db, token);
  return { workspaceName, email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt.toISOString() };
}

/** The signed-in member joins the workspace; the invitation must be for their e-mail, and that e-mail verified. */
export async function acceptInvitation(db: Db, memberId: string, token: string) {
  const { invitation } = await findInvitation(db, token);
  const [member] = await db
    .select({ email: members.email, emailVerifiedAt: members.emailVerifiedAt })
    .from(members)
    .where(eq(members.id, memberId))
    .limit(1);
  if (!member || member.email !== invitation.email) {
    throw new ForbiddenError(`This invitation is for ${invitation.email}: sign in with that e-mail to accept it`);
  }
  // Bound to an e-mail only means something once the member has proved they hold it (H3).
  if (!member.emailVerifiedAt) {
    throw new ForbiddenError("Verify your e-mail address first: open the link we e-mailed you, then accept the invitation");
  }
  const ctx: ServiceCtx = { db, workspaceId: invitation.workspaceId, actor: { type: "member", id: memberId } };
  return withTransaction(ctx, async (tx) => {
    const [claimed] = await tx
      .update(invitations)
      .set({ acceptedAt: new Date(), acceptedBy: memberId })
      .where(and(eq(invitations.id, invitation.id), isNull(invitations.acceptedAt)))
      .returning({ id: invitations.id });
    if (!claimed) throw new ConflictError("This invitation was accepted already");
    const [joined] = await tx
      .insert(memberships)
      .values({ workspaceId: invitation.workspaceId, memberId, role: invitation.role })
      .onConflictDoNothing()
      .returning({ role: memberships.role });
    await writeAudit(tx, {
      workspaceId: invitation.workspaceId,
      actor: ctx.actor,
      action: "invitation.accept",
      targetType: "invitation",
      targetId: invitation.id,
      data: { role: invitation.role, alreadyMember: !joined },
    });
    return { workspaceId: invitation.workspaceId, role: joined?.role ?? null };
  });
}
