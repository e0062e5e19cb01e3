import { sql } from "drizzle-orm";
import { z } from "zod";
import { resultRows } from "@/db/client";
import type { ServiceCtx } from "../context";
import { nanosToUsd } from "../core/pricing";
import { InvalidInputError } from "../errors";
import { segmentScope } from "../segments/segment-sql";

export const END_USER_SORTS = ["cost", "requests", "tokens", "lastSeen", "firstSeen", "userId"] as const;

export const ZListEndUsers = z.object({
  /** Part of a userId or orgId, case-insensitive. */
  search: z.string().trim().max(256).optional(),
  sort: z.enum(END_USER_SORTS).default("cost"),
  dir: z.enum(["asc", "desc"]).default("desc"),
  /** Only end users blocked right now (themselves or through their org). */
  blockedOnly: z.boolean().default(false),
  /** Only the members of this segment (seg_…). */
  segment: z.string().min(1).max(64).optional(),
  /** With both: totals over [from, to) from the rollups, and only end users with a call in it. */
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  page: z.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.number().int().min(1).max(100).default(25),
});
export type TListEndUsers = z.input<typeof ZListEndUsers>;

type EndUserRow = {
  user_id: string;
  org_id: string | null;
  tier: string | null;
  first_seen_at: Date | string;
  last_seen_at: Date | string;
  requests: string;
  total_tokens: string;
  cost_nanos: string;
  unpriced_requests: string;
  blocked: boolean;
  blocked_until: Date | string | null;
};

const SORT_COLUMNS = {
  cost: sql`eu.cost_nanos`,
  requests: sql`eu.requests`,
  tokens: sql`eu.total_tokens`,
  lastSeen: sql`eu.last_seen_at`,
  firstSeen: sql`eu.first_seen_at`,
  userId: sql`eu.user_id`,
} as const;

/** Escape LIKE wildcards so a search for "a_b" finds "a_b" only. */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Active blocks of a user or its org, as (blocked, blocked_until: null = no expiry). */
const BLOCK_STATE = sql`(select count(*) > 0 from blocklist b where b.workspace_id = eu.workspace_id
      and ((b.subject_type = 'user' and b.subject_id = eu.user_id) or (b.subject_type = 'org' and b.subject_id = eu.org_id))
      and (b.expires_at is null or b.expires_at > now())) as blocked,
    (select case when bool_or(b.expires_at is null) then null else max(b.expires_at) end from blocklist b
      where b.workspace_id = eu.workspace_id
      and ((b.subject_type = 'user' and b.subject_id = eu.user_id) or (b.subject_type = 'org' and b.subject_id = eu.org_id))
      and (b.expires_at is null or b.expires_at > now())) as blocked_until`;

export function toEndUser(r: EndUserRow) {
  return {
    userId: r.user_id,
    orgId: r.org_id,
    tier: r.tier,
    firstSeenAt: new Date(r.first_seen_at).toISOString(),
    lastSeenAt: new Date(r.last_seen_at).toISOString(),
    requests: Number(r.requests),
    totalTokens: Number(r.total_tokens),
    costNanos: String(r.cost_nanos),
    costUsd: nanosToUsd(BigInt(r.cost_nanos)),
    unpricedRequests: Number(r.unpriced_requests),
    blocked: Boolean(r.blocked),
    blockedUntil: r.blocked && r.blocked_until ? new Date(r.blocked_until).toISOString() : null,
  };
}
export type TEndUser = ReturnType<typeof toEndUser>;

/**
 * The workspace's end users with their totals (all-time, or over a date range): searchable,
 * sortable, restricted to a segment's members, one page at a time.
 */
export async function listEndUsers({ ctx, input }: { ctx: ServiceCtx; input: TListEndUsers }) {
  const q = ZListEndUsers.parse(input);
  if ((q.from === undefined) !== (q.to === undefined)) throw new InvalidInputError("give both from and to, or neither");
  if (q.from && q.to && q.to <= q.from) throw new InvalidInputError("to must be after from");
  const search = q.search ? likePattern(q.search) : null;
  const members = await segmentScope(ctx, q.segment);
  const filter = sql`eu.workspace_id = ${ctx.workspaceId}
    ${search ? sql`and (eu.user_id ilike ${search} or eu.org_id ilike ${search})` : sql``}
    ${members ? sql`and eu.user_id in (${members})` : sql``}`;
  const dir = q.dir === "asc" ? sql`asc` : sql`desc`;
  const offset = (q.page - 1) * q.pageSize;
  // Over a range, the user rollups' sums in it (exact: buckets start on the minute or hour).
  const inner =
    q.from && q.to
      ? sql`select eu.user_id, eu.org_id, eu.tier, eu.first_seen_at, eu.last_seen_at, r.requests,
          r.total_tokens, r.cost_nanos, r.unpriced_requests, ${BLOCK_STATE}
        from end_users eu join (select key, sum(requests) as requests, sum(total_tokens) as total_tokens,
            sum(cost_nanos) as cost_nanos, sum(unpriced_requests) as unpriced_requests
          from usage_rollups where workspace_id = ${ctx.workspaceId} and dimension = 'user'
            and bucket >= ${q.from.toISOString()}::timestamptz and bucket < ${q.to.toISOString()}::timestamptz
          group by key) r on r.key = eu.user_id
        where ${filter} and r.requests > 0`
      : sql`select eu.user_id, eu.org_id, eu.tier, eu.first_seen_at, eu.last_seen_at, eu.requests,
          eu.total_tokens, eu.cost_nanos, eu.unpriced_requests, ${BLOCK_STATE}
        from end_users eu where ${filter}`;
  const rows = resultRows<EndUserRow & { total: string }>(
    await ctx.db.execute(sql`select eu.user_id, eu.org_id, eu.tier, eu.first_seen_at, eu.last_seen_at,
        eu.requests::text as requests, eu.total_tokens::text as total_tokens, eu.cost_nanos::text as cost_nanos,
        eu.unpriced_requests::text as unpriced_requests, eu.blocked, eu.blocked_until, count(*) over ()::text as total
      from (${inner}) eu
      ${q.blockedOnly ? sql`where eu.blocked` : sql``}
      order by ${SORT_COLUMNS[q.sort]} ${dir} nulls last, eu.user_id ${dir}
      limit ${q.pageSize} offset ${offset}`),
  );
  let total = rows[0] ? Number(rows[0].total) : 0;
  if (!rows[0] && offset > 0) {
    // Past the last page: still say how many there are, so the client can step back.
    const [count] = resultRows<{ n: string }>(
      await ctx.db.execute(sql`select count(*)::text as n from (${inner}) eu ${q.blockedOnly ? sql`where eu.blocked` : sql``}`),
    );
    total = Number(count?.n ?? 0);
  }
  return { rows: rows.map(toEndUser), total, page: q.page, pageSize: q.pageSize };
}
