import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { resultRows } from "@/db/client";
import type { ServiceCtx } from "../context";
import { nanosToUsd } from "../core/pricing";
import { segmentScope } from "../segments/segment-sql";
import { EVENT_COLUMNS, eventsWhere, ZEventFilters, type EventRow } from "./event-filters";

export const ZEventCursor = z.string().regex(/^evt_[0-9a-z]{26}$/, "not an event cursor");

export const ZListEvents = ZEventFilters.extend({
  /** The last id of the previous page: the next page starts just before it (newest first). */
  cursor: ZEventCursor.optional(),
  limit: z.number().int().min(1).max(200).default(50),
  /**
   * A live tail: only events newer than this id, the `limit` oldest of them (so a burst larger than
   * a page is read in order, page after page), newest first; nextCursor is then null.
   */
  after: ZEventCursor.optional(),
});
export type TListEvents = z.input<typeof ZListEvents>;

export function toEvent(r: EventRow) {
  return {
    id: r.id,
    requestId: r.request_id,
    userId: r.user_id,
    orgId: r.org_id,
    feature: r.feature,
    tier: r.tier,
    model: r.model,
    provider: r.provider,
    requestType: r.request_type,
    conversationId: r.conversation_id,
    latencyMs: r.latency_ms,
    inputTokens: Number(r.input_tokens),
    cachedInputTokens: Number(r.cached_input_tokens),
    outputTokens: Number(r.output_tokens),
    reasoningTokens: Number(r.reasoning_tokens),
    totalTokens: Number(r.total_tokens),
    costNanos: String(r.cost_nanos),
    costUsd: nanosToUsd(BigInt(r.cost_nanos)),
    priced: r.priced,
    labels: r.labels ?? [],
    occurredAt: new Date(r.occurred_at).toISOString(),
  };
}
export type TEvent = ReturnType<typeof toEvent>;

/** Recorded events, newest first, filtered, one cursor page at a time. */
export async function listEvents({ ctx, input }: { ctx: ServiceCtx; input: TListEvents }) {
  const q = ZListEvents.parse(input);
  const members = await segmentScope(ctx, q.segment);
  if (q.after) return { rows: await listNewer(ctx, q, q.after, members), nextCursor: null };
  const rows = resultRows<EventRow>(
    await ctx.db.execute(sql`select ${EVENT_COLUMNS} from events
      where ${eventsWhere(ctx, q, members)} ${q.cursor ? sql`and id < ${q.cursor}` : sql``}
      order by id desc limit ${q.limit + 1}`),
  );
  const page = rows.slice(0, q.limit).map(toEvent);
  return { rows: page, nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null };
}

async function listNewer(ctx: ServiceCtx, q: z.output<typeof ZListEvents>, after: string, members: SQL | null) {
  const rows = resultRows<EventRow>(
    await ctx.db.execute(sql`select ${EVENT_COLUMNS} from events
      where ${eventsWhere(ctx, q, members)} and id > ${after} ${q.cursor ? sql`and id < ${q.cursor}` : sql``}
      order by id asc limit ${q.limit}`),
  );
  return rows.reverse().map(toEvent);
}
