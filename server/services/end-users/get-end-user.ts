import { and, eq, gt, isNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import { resultRows } from "@/db/client";
import { blocklist, endUsers } from "@/db/schema";
import type { ServiceCtx } from "../context";
import { NotFoundError } from "../errors";
import { toBlock } from "../blocklist/manage-blocklist";
import { nanosToUsd } from "../core/pricing";

export const ZEndUserId = z.object({ userId: z.string().min(1).max(256) });

/**
 * One end user: all-time totals, the blocks that apply now (its own and its org's) and
 * its intent label counts. A user that was blocked before it ever sent traffic exists too.
 */
export async function getEndUser({ ctx, userId }: { ctx: ServiceCtx; userId: string }) {
  const [row] = await ctx.db
    .select()
    .from(endUsers)
    .where(and(eq(endUsers.workspaceId, ctx.workspaceId), eq(endUsers.userId, userId)))
    .limit(1);
  const now = new Date();
  const subjects = [and(eq(blocklist.subjectType, "user"), eq(blocklist.subjectId, userId))];
  if (row?.orgId) subjects.push(and(eq(blocklist.subjectType, "org"), eq(blocklist.subjectId, row.orgId)));
  const blocks = await ctx.db
    .select()
    .from(blocklist)
    .where(and(eq(blocklist.workspaceId, ctx.workspaceId), or(...subjects), or(isNull(blocklist.expiresAt), gt(blocklist.expiresAt, now))))
    .orderBy(blocklist.createdAt);
  if (!row && blocks.length === 0) throw new NotFoundError(`End user ${userId} not found`);
  const labels = resultRows<{ label: string; n: string }>(
    await ctx.db.execute(sql`select l as label, count(*)::text as n
      from events, unnest(labels) as l
      where workspace_id = ${ctx.workspaceId} and user_id = ${userId} and cardinality(labels) > 0
      group by l order by count(*) desc, l`),
  );
  return {
    userId,
    seen: Boolean(row),
    orgId: row?.orgId ?? null,
    tier: row?.tier ?? null,
    assignedTier: row?.assignedTier ?? null,
    tierAssignedAt: row?.tierAssignedAt ? row.tierAssignedAt.toISOString() : null,
    firstSeenAt: row ? row.firstSeenAt.toISOString() : null,
    lastSeenAt: row ? row.lastSeenAt.toISOString() : null,
    requests: row?.requests ?? 0,
    totalTokens: row?.totalTokens ?? 0,
    costNanos: (row?.costNanos ?? 0n).toString(),
    costUsd: nanosToUsd(row?.costNanos ?? 0n),
    unpricedRequests: row?.unpricedRequests ?? 0,
    blocks: blocks.map((b) => toBlock(b, now)),
    labels: labels.map((l) => ({ label: l.label, count: Number(l.n) })),
  };
}
