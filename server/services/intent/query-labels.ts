import { and, desc, eq, gt, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { resultRows } from "@/db/client";
import { endUserLabels, labelPolicies, policyFirings } from "@/db/schema";
import type { ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";
import { RECENT_LABELS_MS } from "../core/user-signals";

const MAX_RANGE_MS = 366 * 86_400_000;

export const ZLabelsPerDay = z.object({
  from: z.coerce.date(),
  to: z.coerce.date(),
  userId: z.string().trim().min(1).max(256).optional(),
});

/** Events per intent label per UTC day in [from, to), optionally for one end user (reads labelled events only). */
export async function countLabelsPerDay({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZLabelsPerDay> }) {
  const q = ZLabelsPerDay.parse(input);
  if (q.to <= q.from) throw new InvalidInputError("to must be after from");
  if (q.to.getTime() - q.from.getTime() > MAX_RANGE_MS) throw new InvalidInputError("The range is at most 366 days");
  const rows = resultRows<{ day: string; label: string; n: string; users: string }>(
    await ctx.db.execute(sql`select to_char(date_trunc('day', occurred_at, 'UTC'), 'YYYY-MM-DD') as day, l as label,
        count(*)::text as n, count(distinct user_id)::text as users
      from events, unnest(labels) as l
      where workspace_id = ${ctx.workspaceId} and cardinality(labels) > 0
        and occurred_at >= ${q.from.toISOString()}::timestamptz and occurred_at < ${q.to.toISOString()}::timestamptz
        ${q.userId ? sql`and user_id = ${q.userId}` : sql``}
      group by 1, 2 order by 1, 2`),
  );
  return rows.map((r) => ({ day: r.day, label: r.label, events: Number(r.n), endUsers: Number(r.users) }));
}

export const ZEndUserLabels = z.object({ userId: z.string().trim().min(1).max(256), limit: z.number().int().min(1).max(500).default(50) });

/**
 * One end user's intent labels: counts per label (all kept, and the last 24 hours), the most
 * recent labels with confidence and reason, and the label-policy firings still in force.
 */
export async function getEndUserLabels({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: ServiceCtx;
  input: z.input<typeof ZEndUserLabels>;
  now?: Date;
}) {
  const { userId, limit } = ZEndUserLabels.parse(input);
  const since = new Date(now.getTime() - RECENT_LABELS_MS).toISOString();
  const [counts, recent, firings] = await Promise.all([
    ctx.db.execute(sql`select label, count(*)::int as total,
        count(*) filter (where occurred_at > ${since}::timestamptz)::int as last_24h, max(occurred_at) as last_at
      from end_user_labels where workspace_id = ${ctx.workspaceId} and user_id = ${userId}
      group by label order by count(*) desc, label`),
    ctx.db
      .select()
      .from(endUserLabels)
      .where(and(eq(endUserLabels.workspaceId, ctx.workspaceId), eq(endUserLabels.userId, userId)))
      .orderBy(desc(endUserLabels.occurredAt), desc(endUserLabels.id))
      .limit(limit),
    ctx.db
      .select({ firing: policyFirings, policyName: labelPolicies.name })
      .from(policyFirings)
      .innerJoin(labelPolicies, eq(labelPolicies.id, policyFirings.policyId))
      .where(
        and(
          eq(policyFirings.workspaceId, ctx.workspaceId),
          eq(policyFirings.userId, userId),
          gt(policyFirings.expiresAt, now),
          eq(policyFirings.shadow, false),
          // A content policy's firing is about a page the user's call read, not about the user.
          ne(labelPolicies.stage, "content"),
        ),
      )
      .orderBy(desc(policyFirings.createdAt)),
  ]);
  return {
    userId,
    counts: resultRows<{ label: string; total: number; last_24h: number; last_at: Date | string }>(counts).map((c) => ({
      label: c.label,
      total: Number(c.total),
      last24h: Number(c.last_24h),
      lastAt: new Date(c.last_at).toISOString(),
    })),
    recent: recent.map((r) => ({
      label: r.label,
      eventId: r.eventId,
      conversationId: r.conversationId,
      confidence: r.confidence,
      reason: r.reason,
      source: r.source,
      model: r.model,
      occurredAt: r.occurredAt.toISOString(),
    })),
    activePolicies: firings.map(({ firing: f, policyName }) => ({
      firingId: f.id,
      policyId: f.policyId,
      policyName,
      action: f.action,
      label: f.label,
      count: f.labelCount,
      ratePerMinute: f.ratePerMinute,
      createdAt: f.createdAt.toISOString(),
      expiresAt: f.expiresAt.toISOString(),
    })),
  };
}

export const ZConversationLabels = z.object({ conversationId: z.string().trim().min(1).max(256) });

/** A conversation's labels: every label its events carry, with how many events and the latest. */
export async function getConversationLabels({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZConversationLabels> }) {
  const { conversationId } = ZConversationLabels.parse(input);
  const rows = resultRows<{ label: string; n: number; last_at: Date | string }>(
    await ctx.db.execute(sql`select l as label, count(*)::int as n, max(occurred_at) as last_at
      from events, unnest(labels) as l
      where workspace_id = ${ctx.workspaceId} and conversation_id = ${conversationId}
      group by l order by max(occurred_at) desc, l`),
  );
  return {
    conversationId,
    labels: rows.map((r) => ({ label: r.label, events: Number(r.n), lastAt: new Date(r.last_at).toISOString() })),
  };
}
