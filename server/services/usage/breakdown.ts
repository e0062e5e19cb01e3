import { z } from "zod";
import type { ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";
import { nanosToUsd } from "../core/pricing";
import { segmentScope } from "../segments/segment-sql";
import { BREAKDOWN_DIMENSIONS, decodeCursor, encodeCursor, topGroups, type TBreakdownDimension, type TGroupRow } from "./breakdown-sql";
import { csvField, formatCsvUsd } from "./query-usage";

export { BREAKDOWN_DIMENSIONS, type TBreakdownDimension };

export const BREAKDOWN_FIELD = { user: "userId", org: "orgId", feature: "feature", model: "model", tier: "tier" } as const;

export const ZBreakdownBy = z
  .array(z.enum(BREAKDOWN_DIMENSIONS))
  .min(1)
  .refine((by) => new Set(by).size === by.length, "each dimension may appear once");

export const ZBreakdownQuery = z.object({
  /** The dimensions to group by, in the order of the row's keys. */
  by: ZBreakdownBy,
  from: z.coerce.date(),
  to: z.coerce.date(),
  /** Only the members of this segment (seg_…), as of now. */
  segment: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** nextCursor of the previous page. */
  cursor: z.string().max(4096).optional(),
});
export type TBreakdownQuery = z.input<typeof ZBreakdownQuery>;
type Query = z.output<typeof ZBreakdownQuery>;

export type TBreakdownRow = Partial<Record<(typeof BREAKDOWN_FIELD)[TBreakdownDimension], string | null>> & {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costNanos: string;
  costUsd: number;
  unpricedRequests: number;
};

/**
 * One page of usage grouped by any combination of dimensions over [from, to), aggregated from the
 * events themselves (docs/SCALING.md, "Usage breakdowns"). Every page aggregates the range again
 * and keyset-pages the groups by cost, so pages never skip or repeat a group of the same data.
 */
export async function usageBreakdown({ ctx, input }: { ctx: ServiceCtx; input: TBreakdownQuery }) {
  const q = ZBreakdownQuery.parse(input);
  const rows = await aggregate(ctx, q, q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > q.limit && last ? encodeCursor({ c: last.cost, k: q.by.map((_, i) => last[`d${i}`] ?? null), b: q.by.join(",") }) : null;
  return { data: page.map((r) => toRow(q.by, r)), nextCursor };
}

/** Every row of the breakdown as CSV, in the same order, for spreadsheets and invoices. */
export async function exportBreakdownCsv({ ctx, input }: { ctx: ServiceCtx; input: Omit<TBreakdownQuery, "limit" | "cursor"> }) {
  const q = ZBreakdownQuery.parse({ ...input, limit: undefined, cursor: undefined });
  const rows = await aggregate(ctx, { ...q, cursor: undefined }, MAX_EXPORT_ROWS);
  const header = [...q.by, "requests", "input_tokens", "output_tokens", "total_tokens", "cost_usd", "unpriced_requests"].join(",");
  const lines = rows.map((r) =>
    [...q.by.map((_, i) => csvField(r[`d${i}`])), r.requests, r.input, r.output, r.total, formatCsvUsd(BigInt(r.cost)), r.unpriced].join(
      ",",
    ),
  );
  return [header, ...lines].join("\n") + "\n";
}

const MAX_EXPORT_ROWS = 1_000_000;

async function aggregate(ctx: ServiceCtx, q: Query, limit: number): Promise<TGroupRow[]> {
  if (q.to <= q.from) throw new InvalidInputError("to must be after from");
  const cursor = q.cursor ? decodeCursor(q.cursor, q.by) : null;
  const scope = await segmentScope(ctx, q.segment);
  return topGroups(ctx.db, { workspaceId: ctx.workspaceId, by: q.by, from: q.from, to: q.to, scope, cursor, limit });
}

function toRow(by: TBreakdownDimension[], r: TGroupRow): TBreakdownRow {
  const row: Record<string, unknown> = {};
  by.forEach((d, i) => {
    row[BREAKDOWN_FIELD[d]] = r[`d${i}`] ?? null;
  });
  return {
    ...row,
    requests: Number(r.requests),
    inputTokens: Number(r.input),
    outputTokens: Number(r.output),
    totalTokens: Number(r.total),
    costNanos: r.cost,
    costUsd: nanosToUsd(BigInt(r.cost)),
    unpricedRequests: Number(r.unpriced),
  };
}
