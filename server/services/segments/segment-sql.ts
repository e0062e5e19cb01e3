import { and, eq, sql, type SQL } from "drizzle-orm";
import { type SegmentFilter, segments } from "@/db/schema";
import type { Queryable } from "@/db/client";
import type { ServiceCtx } from "../context";
import { NotFoundError } from "../errors";
import { usdToNanos } from "../core/pricing";
import { DAY_MS, floorToHour } from "../core/time";

/** Windows without a day count of their own look back this far. */
export const DEFAULT_WITHIN_DAYS = 30;

/**
 * Where a "within N days" window starts: the start of the hour N×24 hours ago (UTC), so the
 * window holds whole rollup buckets (minute and hour buckets both start on the hour) and a
 * spend sum from the rollups is exact for it.
 */
export function withinStart(now: Date, days: number): Date {
  return new Date(floorToHour(now).getTime() - days * DAY_MS);
}

/**
 * The end users of `workspaceId` matching `filter` at `now`, as `select user_id …`: a subquery
 * for `user_id in (…)`. Every condition reads an index keyed by (workspace_id, user_id, …).
 */
export function segmentMembersSql(workspaceId: string, filter: SegmentFilter, now: Date): SQL {
  const where: SQL[] = [sql`eu.workspace_id = ${workspaceId}`];
  const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
  if (filter.tier !== undefined) where.push(sql`eu.tier = ${filter.tier}`);
  if (filter.orgId !== undefined) where.push(sql`eu.org_id = ${filter.orgId}`);
  if (filter.firstSeenAfter) where.push(sql`eu.first_seen_at >= ${at(new Date(filter.firstSeenAfter))}`);
  if (filter.firstSeenBefore) where.push(sql`eu.first_seen_at < ${at(new Date(filter.firstSeenBefore))}`);
  if (filter.activeWithinDays !== undefined) where.push(sql`eu.last_seen_at >= ${at(withinStart(now, filter.activeWithinDays))}`);
  const costStart = withinStart(now, filter.costWithinDays ?? DEFAULT_WITHIN_DAYS);
  if (filter.feature !== undefined) {
    const since = filter.costWithinDays !== undefined ? sql`and e.occurred_at >= ${at(costStart)}` : sql``;
    where.push(sql`exists (select 1 from events e where e.workspace_id = eu.workspace_id and e.user_id = eu.user_id
      and e.feature = ${filter.feature} ${since})`);
  }
  if (filter.labels && filter.labels.length > 0) {
    const labelStart = withinStart(now, filter.labelWithinDays ?? DEFAULT_WITHIN_DAYS);
    const labels = sql.join(
      filter.labels.map((l) => sql`${l}`),
      sql`, `,
    );
    where.push(sql`exists (select 1 from end_user_labels l where l.workspace_id = eu.workspace_id and l.user_id = eu.user_id
      and l.label in (${labels}) and l.occurred_at >= ${at(labelStart)})`);
  }
  if (filter.minCostUsd !== undefined || filter.maxCostUsd !== undefined) {
    const spend = sql`(select coalesce(sum(r.cost_nanos), 0) from usage_rollups r where r.workspace_id = eu.workspace_id
      and r.dimension = 'user' and r.key = eu.user_id and r.bucket >= ${at(costStart)})`;
    if (filter.minCostUsd !== undefined) where.push(sql`${spend} >= ${usdToNanos(filter.minCostUsd).toString()}::bigint`);
    if (filter.maxCostUsd !== undefined) where.push(sql`${spend} <= ${usdToNanos(filter.maxCostUsd).toString()}::bigint`);
  }
  if (filter.blocked !== undefined) {
    const blocked = sql`exists (select 1 from blocklist b where b.workspace_id = eu.workspace_id
      and ((b.subject_type = 'user' and b.subject_id = eu.user_id) or (b.subject_type = 'org' and b.subject_id = eu.org_id))
      and (b.expires_at is null or b.expires_at > ${at(now)}))`;
    where.push(filter.blocked ? blocked : sql`not ${blocked}`);
  }
  return sql`select eu.user_id from end_users eu where ${sql.join(where, sql` and `)}`;
}

/** The segment's stored filter, or a 404 when it is not this workspace's. */
export async function segmentFilter(db: Queryable, workspaceId: string, segmentId: string): Promise<SegmentFilter> {
  const [row] = await db
    .select({ filter: segments.filter })
    .from(segments)
    .where(and(eq(segments.id, segmentId), eq(segments.workspaceId, workspaceId)));
  if (!row) throw new NotFoundError(`Segment ${segmentId} not found`);
  return row.filter;
}

/**
 * For reads restricted to a segment (`?segment=seg_…`): a subquery selecting the user_id of
 * its members right now (`… and user_id in (${scope})`), or null when no segment is given.
 * A segment of another workspace, or none, is a 404.
 */
export async function segmentScope(ctx: ServiceCtx, segmentId: string | null | undefined, now = new Date()): Promise<SQL | null> {
  if (!segmentId) return null;
  return segmentMembersSql(ctx.workspaceId, await segmentFilter(ctx.db, ctx.workspaceId, segmentId), now);
}
