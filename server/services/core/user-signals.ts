import { sql } from "drizzle-orm";
import { resultRows, type Queryable } from "@/db/client";

/** How far back /sdk/check looks for an end user's labels. */
export const RECENT_LABELS_MS = 24 * 3600_000;
/** A bound on one workspace's cached signals; past it the oldest labels are left out (logged by the caller). */
export const MAX_SIGNAL_ROWS = 100_000;

export interface Restriction {
  firingId: string;
  policyId: string;
  policyName: string;
  action: "throttle" | "require_reauth";
  ratePerMinute: number | null;
  expiresAt: Date;
}

/** What /sdk/check needs to know about one end user beyond rules and blocklist. */
export interface UserSignals {
  /** Non-safe labels and when the user last got each. */
  labels: Map<string, Date>;
  restrictions: Restriction[];
  /** The tier Tokenist assigned (set_tier, or by hand): wins over the tier the SDK sends. */
  tier: string | null;
}

/**
 * The workspace's flagged end users: labels of the last 24 hours, active throttles and
 * re-auths of enabled policies (disabling a policy lifts them), and assigned tiers. Loaded whole (two indexed reads) when its label version changes, so a check
 * reads them from memory; the usual workspace has few flagged users at a time.
 */
export async function loadUserSignals(db: Queryable, workspaceId: string, now: number): Promise<Map<string, UserSignals>> {
  const since = new Date(now - RECENT_LABELS_MS).toISOString();
  const at = new Date(now).toISOString();
  const [labelRows, restrictionRows, tierRows] = await Promise.all([
    db.execute(sql`select user_id, label, max(occurred_at) as last_at from end_user_labels
      where workspace_id = ${workspaceId} and occurred_at > ${since}::timestamptz
      group by user_id, label order by max(occurred_at) desc limit ${MAX_SIGNAL_ROWS}`),
    db.execute(sql`select f.id, f.policy_id, p.name, f.user_id, f.action, f.rate_per_minute, f.expires_at
      from policy_firings f join label_policies p on p.id = f.policy_id
      where f.workspace_id = ${workspaceId} and f.expires_at > ${at}::timestamptz and f.action in ('throttle', 'require_reauth')
        and p.enabled and not f.shadow`),
    db.execute(sql`select user_id, assigned_tier from end_users where workspace_id = ${workspaceId} and assigned_tier is not null`),
  ]);
  const signals = new Map<string, UserSignals>();
  const of = (userId: string) => {
    let s = signals.get(userId);
    if (!s) signals.set(userId, (s = { labels: new Map(), restrictions: [], tier: null }));
    return s;
  };
  for (const r of resultRows<{ user_id: string; label: string; last_at: Date | string }>(labelRows)) {
    of(r.user_id).labels.set(r.label, new Date(r.last_at));
  }
  type TRow = {
    id: string;
    policy_id: string;
    name: string;
    user_id: string;
    action: Restriction["action"];
    rate_per_minute: number | null;
    expires_at: Date | string;
  };
  for (const r of resultRows<TRow>(restrictionRows)) {
    of(r.user_id).restrictions.push({
      firingId: r.id,
      policyId: r.policy_id,
      policyName: r.name,
      action: r.action,
      ratePerMinute: r.rate_per_minute === null ? null : Number(r.rate_per_minute),
      expiresAt: new Date(r.expires_at),
    });
  }
  for (const r of resultRows<{ user_id: string; assigned_tier: string }>(tierRows)) of(r.user_id).tier = r.assigned_tier;
  return signals;
}

/** The user's labels of the 24 hours before `now`. */
export function recentLabels(signals: UserSignals | undefined, now: Date): string[] {
  if (!signals) return [];
  const since = now.getTime() - RECENT_LABELS_MS;
  return [...signals.labels].filter(([, at]) => at.getTime() > since).map(([label]) => label);
}

/** The user's throttles and re-auths in force at `now`. */
export function activeRestrictions(signals: UserSignals | undefined, now: Date): Restriction[] {
  return signals ? signals.restrictions.filter((r) => r.expiresAt > now) : [];
}

/** Members of each segment a rule or label policy targets (segments/refresh-members.ts keeps them): the check reads them from memory. */
export async function loadSegmentMembers(db: Queryable, workspaceId: string): Promise<Map<string, Set<string>>> {
  const rows = resultRows<{ segment_id: string; user_id: string }>(
    await db.execute(sql`select segment_id, user_id from segment_members where workspace_id = ${workspaceId}`),
  );
  const members = new Map<string, Set<string>>();
  for (const r of rows) {
    let set = members.get(r.segment_id);
    if (!set) members.set(r.segment_id, (set = new Set()));
    set.add(r.user_id);
  }
  return members;
}
