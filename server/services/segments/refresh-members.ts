import { sql } from "drizzle-orm";
import { resultRows, type Db, type Queryable } from "@/db/client";
import { bumpLabelVersion, configTransaction } from "../core/change-config";
import { segmentFilter, segmentMembersSql } from "./segment-sql";

/** The segments an enabled rule or label policy targets (`filters.segment`): the only ones kept materialised. */
export async function targetedSegmentIds(db: Queryable, workspaceId: string): Promise<string[]> {
  const rows = resultRows<{ id: string }>(
    await db.execute(sql`select filters->>'segment' as id from rules
        where workspace_id = ${workspaceId} and enabled and filters->>'segment' is not null
      union select filters->>'segment' from label_policies
        where workspace_id = ${workspaceId} and enabled and filters->>'segment' is not null`),
  );
  return rows.map((r) => r.id).sort();
}

/**
 * Bring `segment_members` up to date for the targeted segments (or those of `only` that are
 * targeted) at `now`, inside the caller's transaction; members of segments no longer targeted
 * are dropped. Returns how many rows changed.
 */
export async function refreshSegmentMembersIn(tx: Queryable, workspaceId: string, now: Date, only?: string[]): Promise<number> {
  // One refresh of a workspace at a time: every instance runs the minute job, and two inserting
  // the same members in different orders could deadlock.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`segment-members\u001f${workspaceId}`}, 0))`);
  const targeted = await targetedSegmentIds(tx, workspaceId);
  const count = async (q: ReturnType<typeof sql>) => Number(resultRows<{ n: number }>(await tx.execute(q))[0]?.n ?? 0);
  let changed = 0;
  if (!only) {
    const keep = targeted.length
      ? sql`and segment_id not in (${sql.join(
          targeted.map((id) => sql`${id}`),
          sql`, `,
        )})`
      : sql``;
    changed += await count(sql`with gone as (delete from segment_members where workspace_id = ${workspaceId} ${keep} returning 1)
      select count(*)::int as n from gone`);
  }
  for (const id of only ? targeted.filter((t) => only.includes(t)) : targeted) {
    const members = segmentMembersSql(workspaceId, await segmentFilter(tx, workspaceId, id), now);
    changed += await count(sql`with gone as (delete from segment_members where workspace_id = ${workspaceId} and segment_id = ${id}
        and user_id not in (${members}) returning 1) select count(*)::int as n from gone`);
    changed += await count(sql`with added as (insert into segment_members (workspace_id, segment_id, user_id)
        select ${workspaceId}, ${id}, m.user_id from (${members}) m on conflict do nothing returning 1)
      select count(*)::int as n from added`);
  }
  return changed;
}

/**
 * Re-compute one workspace's targeted segments; when membership changed, bump its label
 * version so every process reloads the per-user signals (segment membership among them)
 * within STATE_TTL_MS, without reloading rules or the blocklist.
 */
export async function refreshSegmentMembers(db: Db, workspaceId: string, now = new Date()): Promise<number> {
  return configTransaction(db, async (tx) => {
    const changed = await refreshSegmentMembersIn(tx, workspaceId, now);
    if (changed > 0) await bumpLabelVersion(tx, workspaceId);
    return changed;
  });
}

/**
 * The minute job: every workspace with a targeted segment (or leftover members). Membership
 * that depends on time ("active within 7 days", "labelled within 1 day", spend over 30 days)
 * is at most one run behind; a change of the segment or of the rule that targets it applies at once.
 */
export async function refreshAllSegmentMembers(db: Db, now = new Date()) {
  const workspaces = resultRows<{ workspace_id: string }>(
    await db.execute(sql`select workspace_id from rules where enabled and filters->>'segment' is not null
      union select workspace_id from label_policies where enabled and filters->>'segment' is not null
      union select distinct workspace_id from segment_members`),
  );
  let changed = 0;
  for (const w of workspaces) changed += await refreshSegmentMembers(db, w.workspace_id, now);
  return { workspaces: workspaces.length, changed };
}
