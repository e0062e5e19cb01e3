import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiKeys, invitations, members, memberships } from "@/db/schema";
import { revokeKeysOfMember } from "../api-keys/manage-api-keys";
import { clearApiKeyCache } from "../api-keys/resolve-api-key";
import { writeAudit } from "../audit/write-audit";
import { SYSTEM, type ServiceCtx } from "../context";
import { revokeInvitationsOf } from "../members/invitations";

const REASON = "email_takeover";

/**
 * A provider-verified OAuth sign-in for the address of a member whose e-mail was never verified
 * (H3 pre-hijack: someone may have signed up with a password for that address first). The owner
 * of the mailbox wins, in one transaction: the member becomes verified, the password is cleared,
 * `sessionVersion` is bumped so every earlier session ends on its next request, the API keys
 * created on the member's authority are revoked and the invitations they sent withdrawn, with an
 * audit row in each workspace touched. Returns the member as it is now.
 */
export async function takeOverUnverifiedMember(db: Db, memberId: string, provider: string) {
  const now = new Date();
  let revokedKeys = 0;
  const member = await db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(members)
      .set({ emailVerifiedAt: now, passwordHash: null, sessionVersion: sql`${members.sessionVersion} + 1` })
      .where(and(eq(members.id, memberId), isNull(members.emailVerifiedAt)))
      .returning();
    if (!claimed) return null; // verified meanwhile (their link, or a concurrent sign-in): nothing to take over
    const workspaceIds = await tx
      .select({ id: memberships.workspaceId })
      .from(memberships)
      .where(eq(memberships.memberId, memberId))
      .union(
        tx
          .select({ id: apiKeys.workspaceId })
          .from(apiKeys)
          .where(and(eq(apiKeys.createdBy, memberId), isNull(apiKeys.revokedAt))),
      )
      .union(
        tx
          .select({ id: invitations.workspaceId })
          .from(invitations)
          .where(and(eq(invitations.invitedBy, memberId), isNull(invitations.acceptedAt))),
      );
    for (const { id: workspaceId } of workspaceIds) {
      const ctx: ServiceCtx = { db, workspaceId, actor: SYSTEM };
      const keys = await revokeKeysOfMember(tx, ctx, memberId, REASON);
      const withdrawn = await revokeInvitationsOf(tx, ctx, memberId, REASON);
      revokedKeys += keys.length;
      await writeAudit(tx, {
        workspaceId,
        actor: SYSTEM,
        action: "member.email_takeover",
        targetType: "member",
        targetId: memberId,
        data: { provider, revokedKeys: keys, withdrawnInvitations: withdrawn, passwordCleared: true, sessionsEnded: true },
      });
    }
    return claimed;
  });
  if (revokedKeys) clearApiKeyCache(); // this process at once; the others on the config version
  return member ?? (await db.select().from(members).where(eq(members.id, memberId)).limit(1))[0]!;
}
