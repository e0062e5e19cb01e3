import { and, eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { memberships, type Role } from "@/db/schema";

/** A member's role in a workspace, or null when they are not in it (low in the layers: keys, alerts and doors ask it). */
export async function getMemberRole(db: Queryable, memberId: string, workspaceId: string): Promise<Role | null> {
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.memberId, memberId), eq(memberships.workspaceId, workspaceId)))
    .limit(1);
  return row?.role ?? null;
}
