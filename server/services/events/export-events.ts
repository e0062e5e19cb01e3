import { sql } from "drizzle-orm";
import type { z } from "zod";
import { resultRows } from "@/db/client";
import type { ServiceCtx } from "../context";
import { formatNanos } from "../core/pricing";
import { csvField } from "../usage/query-usage";
import { segmentScope } from "../segments/segment-sql";
import { EVENT_COLUMNS, eventsWhere, ZEventFilters, type EventRow } from "./event-filters";

export const MAX_EXPORT_EVENTS = 100_000;

const HEADER = [
  "time",
  "id",
  "request_id",
  "user_id",
  "org_id",
  "feature",
  "tier",
  "model",
  "provider",
  "input_tokens",
  "cached_input_tokens",
  "output_tokens",
  "reasoning_tokens",
  "total_tokens",
  "cost_usd",
  "priced",
  "labels",
  "latency_ms",
].join(",");

/** The filtered events as CSV, newest first, exact USD (nine decimals at most). */
export async function exportEventsCsv({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZEventFilters> }) {
  const f = ZEventFilters.parse(input);
  const members = await segmentScope(ctx, f.segment);
  const rows = resultRows<EventRow>(
    await ctx.db.execute(sql`select ${EVENT_COLUMNS} from events where ${eventsWhere(ctx, f, members)}
      order by id desc limit ${MAX_EXPORT_EVENTS}`),
  );
  const lines = rows.map((r) =>
    [
      new Date(r.occurred_at).toISOString(),
      r.id,
      csvField(r.request_id),
      csvField(r.user_id),
      csvField(r.org_id),
      csvField(r.feature),
      csvField(r.tier),
      csvField(r.model),
      csvField(r.provider),
      r.input_tokens,
      r.cached_input_tokens,
      r.output_tokens,
      r.reasoning_tokens,
      r.total_tokens,
      formatNanos(BigInt(r.cost_nanos)),
      r.priced,
      csvField((r.labels ?? []).join(" ")),
      r.latency_ms ?? "",
    ].join(","),
  );
  return [HEADER, ...lines].join("\n") + "\n";
}
