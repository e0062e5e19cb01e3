import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { newId } from "@/server/lib/ids";
import type { ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";

const ZText = z.string().trim().min(1).max(256);

/** The filters of the logs page and of its CSV export. */
export const ZEventFilters = z.object({
  userId: ZText.optional(),
  orgId: ZText.optional(),
  feature: ZText.optional(),
  /** Matched case-insensitively, like the usage rollups. */
  model: ZText.optional(),
  label: ZText.optional(),
  /** Only the events of this segment's members (seg_…), as of now. */
  segment: ZText.optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
});
export type TEventFilters = z.infer<typeof ZEventFilters>;

/**
 * Event ids start with their occurredAt in milliseconds (server/lib/ids.ts), so a time range
 * is an id range: `evt_<time>` sorts before every id of that millisecond and after every
 * earlier one. One index (workspace_id, id) then serves both paging and date filters.
 */
export function idAt(date: Date): string {
  return newId("evt", date.getTime()).slice(0, "evt_".length + 10);
}

/** The WHERE clause of a filtered, workspace-scoped events query; `members`: segmentScope's subquery for `f.segment`. */
export function eventsWhere(ctx: ServiceCtx, f: TEventFilters, members: SQL | null = null): SQL {
  if (f.from && f.to && f.to <= f.from) throw new InvalidInputError("to must be after from");
  const parts: SQL[] = [sql`workspace_id = ${ctx.workspaceId}`];
  if (f.userId) parts.push(sql`user_id = ${f.userId}`);
  if (f.orgId) parts.push(sql`org_id = ${f.orgId}`);
  if (f.feature) parts.push(sql`feature = ${f.feature}`);
  if (f.model) parts.push(sql`lower(model) = ${f.model.toLowerCase()}`);
  if (f.label) parts.push(sql`cardinality(labels) > 0 and labels @> array[${f.label}]::text[]`);
  if (members) parts.push(sql`user_id in (${members})`);
  if (f.from) parts.push(sql`id >= ${idAt(f.from)}`);
  if (f.to) parts.push(sql`id < ${idAt(f.to)}`);
  return sql.join(parts, sql` and `);
}

export type EventRow = {
  id: string;
  request_id: string;
  user_id: string | null;
  org_id: string | null;
  feature: string | null;
  tier: string | null;
  model: string;
  provider: string | null;
  request_type: string | null;
  conversation_id: string | null;
  latency_ms: number | null;
  input_tokens: string;
  cached_input_tokens: string;
  output_tokens: string;
  reasoning_tokens: string;
  total_tokens: string;
  cost_nanos: string;
  priced: boolean;
  labels: string[];
  occurred_at: Date | string;
};

export const EVENT_COLUMNS = sql`id, request_id, user_id, org_id, feature, tier, model, provider, request_type,
  conversation_id, latency_ms, input_tokens::text, cached_input_tokens::text, output_tokens::text,
  reasoning_tokens::text, total_tokens::text, cost_nanos::text, priced, labels, occurred_at`;
