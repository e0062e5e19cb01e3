import { and, desc, eq, lt } from "drizzle-orm";
import { z } from "zod";
import { payloadLogs } from "@/db/schema";
import type { ServiceCtx } from "../context";
import { NotFoundError } from "../errors";

export const ZListPayloadLogs = z.object({
  userId: z.string().max(256).optional(),
  requestId: z.string().max(256).optional(),
  cursor: z
    .string()
    .regex(/^log_[0-9a-z]{26}$/, "not a payload log cursor")
    .optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

type LogRow = typeof payloadLogs.$inferSelect;

export function toPayloadLog(l: LogRow) {
  return {
    id: l.id,
    requestId: l.requestId,
    userId: l.userId,
    feature: l.feature,
    source: l.source,
    request: l.request,
    response: l.response,
    metadata: l.metadata,
    createdAt: l.createdAt.toISOString(),
  };
}

/** Stored payloads, newest first (ids are time-ordered), one cursor page at a time. */
export async function listPayloadLogs({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZListPayloadLogs> }) {
  const q = ZListPayloadLogs.parse(input);
  const rows = await ctx.db
    .select()
    .from(payloadLogs)
    .where(
      and(
        eq(payloadLogs.workspaceId, ctx.workspaceId),
        q.userId ? eq(payloadLogs.userId, q.userId) : undefined,
        q.requestId ? eq(payloadLogs.requestId, q.requestId) : undefined,
        q.cursor ? lt(payloadLogs.id, q.cursor) : undefined,
      ),
    )
    .orderBy(desc(payloadLogs.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit).map(toPayloadLog);
  return { data: page, nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null };
}

export async function getPayloadLog({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  const [row] = await ctx.db
    .select()
    .from(payloadLogs)
    .where(and(eq(payloadLogs.workspaceId, ctx.workspaceId), eq(payloadLogs.id, id)));
  if (!row) throw new NotFoundError(`Payload log ${id} not found`);
  return toPayloadLog(row);
}
