import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { resultRows } from "@/db/client";
import { payloadLogs, workspaces } from "@/db/schema";
import type { ServiceCtx } from "../context";
import { NotFoundError } from "../errors";
import { EVENT_COLUMNS, type EventRow } from "./event-filters";
import { toEvent } from "./list-events";

export const ZEventId = z.object({ id: z.string().regex(/^evt_[0-9a-z]{26}$/, "not an event id") });

/**
 * One event with its stored payloads (the input/output kept by /sdk/record and the
 * /sdk/log bodies of the same requestId), which exist only while payload logging is on.
 */
export async function getEvent({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  const [row] = resultRows<EventRow & { metadata: Record<string, unknown> | null }>(
    await ctx.db.execute(sql`select ${EVENT_COLUMNS}, metadata from events
      where workspace_id = ${ctx.workspaceId} and id = ${id} limit 1`),
  );
  if (!row) throw new NotFoundError(`Event ${id} not found`);
  const [ws] = await ctx.db
    .select({ payloadLogging: workspaces.payloadLogging })
    .from(workspaces)
    .where(eq(workspaces.id, ctx.workspaceId))
    .limit(1);
  const payloads = await ctx.db
    .select({
      id: payloadLogs.id,
      source: payloadLogs.source,
      request: payloadLogs.request,
      response: payloadLogs.response,
      metadata: payloadLogs.metadata,
      createdAt: payloadLogs.createdAt,
    })
    .from(payloadLogs)
    .where(and(eq(payloadLogs.workspaceId, ctx.workspaceId), eq(payloadLogs.requestId, row.request_id)))
    .orderBy(asc(payloadLogs.createdAt));
  return {
    event: { ...toEvent(row), metadata: row.metadata },
    payloadLogging: ws?.payloadLogging ?? false,
    payloads: payloads.map((p) => ({ ...p, createdAt: p.createdAt.toISOString() })),
  };
}
