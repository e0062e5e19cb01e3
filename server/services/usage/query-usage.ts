import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { resultRows } from "@/db/client";
import { DIMENSIONS } from "@/db/schema";
import type { ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";
import { nanosToUsd } from "../core/pricing";
import { segmentScope } from "../segments/segment-sql";

export const ZUsageQuery = z.object({
  /** What to group by; "workspace" is the whole workspace. */
  dimension: z.enum(DIMENSIONS).default("workspace"),
  /** One userId / orgId / feature / model / tier; absent → every key of the dimension. */
  key: z.string().max(256).optional(),
  from: z.coerce.date(),
  to: z.coerce.date(),
  interval: z.enum(["minute", "hour", "day"]).default("day"),
  /** Only the usage of this segment's members (seg_…). */
  segment: z.string().min(1).max(64).optional(),
});
export type TUsageQuery = z.input<typeof ZUsageQuery>;

export const ZTopQuery = ZUsageQuery.omit({ interval: true, key: true }).extend({
  dimension: z.enum(DIMENSIONS).exclude(["workspace"]),
  orderBy: z.enum(["cost", "tokens", "requests"]).default("cost"),
  limit: z.coerce.number().int().min(1).max(1000).default(10),
});

export interface UsageTotals {
  requests: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  totalTokens: number;
  costNanos: string;
  costUsd: number;
  /** Requests whose model had no known price: counted, with cost 0. */
  unpricedRequests: number;
}

type SumRow = {
  requests: string;
  input: string;
  cached: string;
  output: string;
  reasoning: string;
  total: string;
  cost: string;
  unpriced: string;
};

const SUMS = sql`coalesce(sum(requests), 0)::text as requests, coalesce(sum(input_tokens), 0)::text as input,
  coalesce(sum(cached_input_tokens), 0)::text as cached, coalesce(sum(output_tokens), 0)::text as output,
  coalesce(sum(reasoning_tokens), 0)::text as reasoning, coalesce(sum(total_tokens), 0)::text as total,
  coalesce(sum(cost_nanos), 0)::text as cost, coalesce(sum(unpriced_requests), 0)::text as unpriced`;

function toTotals(r: SumRow): UsageTotals {
  return {
    requests: Number(r.requests),
    inputTokens: Number(r.input),
    cachedInputTokens: Number(r.cached),
    outputTokens: Number(r.output),
    reasoningTokens: Number(r.reasoning),
    totalTokens: Number(r.total),
    costNanos: r.cost,
    costUsd: nanosToUsd(BigInt(r.cost)),
    unpricedRequests: Number(r.unpriced),
  };
}

const MAX_POINTS = 5_000;

function where(ctx: ServiceCtx, q: { dimension: string; key?: string; from: Date; to: Date }): SQL {
  if (q.to <= q.from) throw new InvalidInputError("to must be after from");
  return sql`workspace_id = ${ctx.workspaceId} and dimension = ${q.dimension}
    ${q.key !== undefined ? sql`and key = ${q.key}` : sql``}
    and bucket >= ${q.from.toISOString()}::timestamptz and bucket < ${q.to.toISOString()}::timestamptz`;
}

const COUNTERS = sql`requests, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, total_tokens, cost_nanos, unpriced_requests`;
/** The events' column of each dimension a segment's usage is grouped by. */
const EVENT_COLUMN = { org: sql`org_id`, feature: sql`feature`, model: sql`model`, tier: sql`tier` } as const;

/**
 * Where a usage query reads (key, bucket and the counters), as a FROM item: the rollups of the
 * dimension; for a segment, its members' user rollups (user and workspace: exact, kept
 * forever) or their events grouped by org, feature, model or tier (as far back as the plan
 * keeps events).
 */
async function usageSource(
  ctx: ServiceCtx,
  q: { dimension: (typeof DIMENSIONS)[number]; key?: string; from: Date; to: Date; segment?: string },
): Promise<SQL> {
  const members = await segmentScope(ctx, q.segment);
  if (!members) return sql`(select key, bucket, ${COUNTERS} from usage_rollups where ${where(ctx, q)}) u`;
  if (q.to <= q.from) throw new InvalidInputError("to must be after from");
  if (q.dimension === "user" || q.dimension === "workspace") {
    const key = q.dimension === "user" ? sql`key` : sql`''`;
    return sql`(select ${key} as key, bucket, ${COUNTERS} from usage_rollups
      where ${where(ctx, { ...q, dimension: "user", key: q.dimension === "user" ? q.key : undefined })} and key in (${members})) u`;
  }
  const column = EVENT_COLUMN[q.dimension];
  return sql`(select ${column} as key, occurred_at as bucket, 1 as requests, input_tokens, cached_input_tokens, output_tokens,
      reasoning_tokens, total_tokens, cost_nanos, (not priced)::int as unpriced_requests
    from events where workspace_id = ${ctx.workspaceId} and ${column} is not null ${q.key !== undefined ? sql`and ${column} = ${q.key}` : sql``}
      and occurred_at >= ${q.from.toISOString()}::timestamptz and occurred_at < ${q.to.toISOString()}::timestamptz
      and user_id in (${members})) u`;
}

/** Totals and a time series (UTC buckets of `interval`) from the rollups: exact sums. */
export async function queryUsage({ ctx, input }: { ctx: ServiceCtx; input: TUsageQuery }) {
  const q = ZUsageQuery.parse(input);
  const stepMs = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[q.interval];
  if ((q.to.getTime() - q.from.getTime()) / stepMs > MAX_POINTS) {
    throw new InvalidInputError(`That range has more than ${MAX_POINTS} ${q.interval}s: choose a larger interval`);
  }
  const source = await usageSource(ctx, q);
  const [totals] = resultRows<SumRow>(await ctx.db.execute(sql`select ${SUMS} from ${source}`));
  const series = resultRows<SumRow & { t: Date | string }>(
    await ctx.db.execute(sql`select date_trunc(${q.interval}, bucket, 'UTC') as t, ${SUMS}
      from ${source} group by 1 order by 1`),
  );
  return {
    dimension: q.dimension,
    key: q.key ?? null,
    from: q.from.toISOString(),
    to: q.to.toISOString(),
    interval: q.interval,
    segment: q.segment ?? null,
    totals: toTotals(totals!),
    series: series.map((r) => ({ t: new Date(r.t).toISOString(), ...toTotals(r) })),
  };
}

type TopQuery = z.output<typeof ZTopQuery>;

const ORDER = { cost: sql`sum(cost_nanos)`, tokens: sql`sum(total_tokens)`, requests: sql`sum(requests)` };
/** An end user's running total of each order: never less than what they used in any range. */
const LIFETIME = { cost: sql`cost_nanos`, tokens: sql`total_tokens`, requests: sql`requests` };
/** End users read in the first round of the bounded top users: twice the top's size, then doubling. */
const FIRST_ROUND_FACTOR = 2;
/** Past this many end users the bound is not pruning (usage spread evenly): aggregate them all. */
const MAX_CANDIDATES = 4_000;

/** The top keys of a dimension over a range (top end users by cost, …). */
export async function topUsage({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZTopQuery> }) {
  const q = ZTopQuery.parse(input);
  // The running totals that bound a range's sum are every call's, not a segment's: aggregate.
  const users = q.dimension === "user" && !q.segment ? await boundedTopUsers(ctx, q) : null;
  return users ?? topOf(ctx, q, null);
}

type TopRow = SumRow & { key: string; n: string };

/** The top keys by a full aggregate over the range, or among `keys` only. */
async function topOf(ctx: ServiceCtx, q: TopQuery, keys: string[] | null) {
  const among = keys ? sql`where key in ${keyList(keys)}` : sql``;
  const rows = resultRows<SumRow & { key: string }>(
    await ctx.db.execute(sql`select key, ${SUMS} from ${await usageSource(ctx, q)} ${among}
      group by key order by ${ORDER[q.orderBy]} desc, key limit ${q.limit}`),
  );
  return rows.map((r) => ({ key: r.key, ...toTotals(r) }));
}

/**
 * The top end users without aggregating every end user's buckets (millions of hour rows over a
 * month with 10k users): end users are read by their running totals (end_users, an upper bound of
 * any range's sum), biggest first, in doubling rounds, and summed over the range, until the k-th
 * best range sum exceeds the running total of every end user not read yet — none of them can
 * enter the top. Exact; null when usage is spread so evenly that the bound does not prune.
 */
async function boundedTopUsers(ctx: ServiceCtx, q: TopQuery) {
  const read: TopRow[] = [];
  let after: { bound: string; key: string } | null = null;
  for (let size = q.limit * FIRST_ROUND_FACTOR; read.length < MAX_CANDIDATES; size *= 2) {
    const candidates = await nextCandidates(ctx, q, after, size);
    const keys = candidates.map((c) => c.key);
    if (keys.length) read.push(...(await rangeRows(ctx, q, keys)));
    const last = candidates[candidates.length - 1];
    if (!last || candidates.length < size) return topAmong(ctx, q, read);
    if (read.length >= q.limit && kthLargest(read, q.limit) > BigInt(last.bound)) return topAmong(ctx, q, read);
    after = last;
  }
  return null;
}

/**
 * The top of the end users read. When no two of them tie on the order, sums alone decide and the
 * rows read are the answer; on a tie the database orders the tied keys (by its collation, as the
 * full aggregate would).
 */
async function topAmong(ctx: ServiceCtx, q: TopQuery, read: TopRow[]) {
  const sorted = [...read].sort((a, b) => compareDesc(BigInt(a.n), BigInt(b.n)));
  const top = sorted.slice(0, q.limit);
  const cut = top.length ? BigInt(top[top.length - 1]!.n) : 0n;
  const next = sorted[q.limit];
  const tied = new Set(top.map((r) => r.n)).size < top.length || (next !== undefined && BigInt(next.n) === cut);
  if (!tied) return top.map((r) => ({ key: r.key, ...toTotals(r) }));
  const contenders = sorted.filter((r) => BigInt(r.n) >= cut).map((r) => r.key);
  return topOf(ctx, q, contenders);
}

function compareDesc(a: bigint, b: bigint): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

function keyList(keys: string[]): SQL {
  return sql`(${sql.join(
    keys.map((k) => sql`${k}`),
    sql`, `,
  )})`;
}

function kthLargest(rows: TopRow[], k: number): bigint {
  return rows.map((r) => BigInt(r.n)).sort(compareDesc)[k - 1]!;
}

/** End users by running total (the order's), biggest first, after a keyset position. */
async function nextCandidates(ctx: ServiceCtx, q: TopQuery, after: { bound: string; key: string } | null, size: number) {
  const total = LIFETIME[q.orderBy];
  const past = after
    ? sql`and (${total} < ${after.bound}::bigint or (${total} = ${after.bound}::bigint and user_id > ${after.key}))`
    : sql``;
  return resultRows<{ key: string; bound: string }>(
    await ctx.db.execute(sql`select user_id as key, ${total}::text as bound from end_users
      where workspace_id = ${ctx.workspaceId} ${past} order by ${total} desc, user_id limit ${size}`),
  );
}

/** The range sums of each of these end users (those with usage in the range), with the order's as n. */
async function rangeRows(ctx: ServiceCtx, q: TopQuery, keys: string[]): Promise<TopRow[]> {
  return resultRows<TopRow>(
    await ctx.db.execute(sql`select key, ${ORDER[q.orderBy]}::text as n, ${SUMS} from usage_rollups
      where ${where(ctx, q)} and key in ${keyList(keys)} group by key`),
  );
}

/** Usage as CSV: one line per (bucket, key), for spreadsheets and invoices. */
export async function exportUsageCsv({ ctx, input }: { ctx: ServiceCtx; input: TUsageQuery }) {
  const q = ZUsageQuery.parse(input);
  const rows = resultRows<SumRow & { t: Date | string; key: string }>(
    await ctx.db.execute(sql`select date_trunc(${q.interval}, bucket, 'UTC') as t, key, ${SUMS}
      from ${await usageSource(ctx, q)} group by 1, 2 order by 1, 2 limit 200000`),
  );
  const header =
    "time,dimension,key,requests,input_tokens,cached_input_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd,unpriced_requests";
  const lines = rows.map((r) => {
    const t = toTotals(r);
    return [
      new Date(r.t).toISOString(),
      q.dimension,
      csvField(r.key),
      t.requests,
      t.inputTokens,
      t.cachedInputTokens,
      t.outputTokens,
      t.reasoningTokens,
      t.totalTokens,
      formatCsvUsd(BigInt(t.costNanos)),
      t.unpricedRequests,
    ].join(",");
  });
  return [header, ...lines].join("\n") + "\n";
}

/** Quote a CSV field, and defuse spreadsheet formulas (=, +, -, @ at the start). */
export function csvField(value: string | null | undefined): string {
  if (value === null || value === undefined) return "";
  let v = String(value);
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Exact USD from nano-dollars, nine decimals: what a spreadsheet sums without float error. */
export function formatCsvUsd(nanos: bigint): string {
  const whole = nanos / 1_000_000_000n;
  const frac = (nanos % 1_000_000_000n).toString().padStart(9, "0");
  return `${whole}.${frac}`;
}
