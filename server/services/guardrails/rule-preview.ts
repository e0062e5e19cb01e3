import { sql, type SQL } from "drizzle-orm";
import { resultRows, type Queryable } from "@/db/client";
import type { RuleFilters, RuleMetric, RuleScope, RuleWindow } from "@/db/schema";
import { nanosToUsd } from "../core/pricing";
import { DAY_MS, HOUR_MS, MINUTE_MS, floorToDay, floorToMinute, startOfMonth } from "../core/time";
import { windowStart } from "../core/windows";
import { hasFilters } from "./rule-subject";

/** How far back the preview replays. */
export const PREVIEW_DAYS = 7;

/**
 * The calls of one subject (the counter the rule would read: one end user, org, tier, feature or
 * the workspace) in one minute. `applies: false`: calls the rule counts but never limits (a
 * rule with a segment, pooled over calls of non-members).
 */
export interface MinuteCalls {
  subject: string;
  /** Start of the minute (ms since epoch, UTC). An hour bucket of compacted rollups: its start. */
  minute: number;
  calls: number;
  tokens: bigint;
  costNanos: bigint;
  applies: boolean;
}

export interface ReplayRule {
  metric: RuleMetric;
  window: RuleWindow;
  /** requests, tokens or nano-dollars */
  limitValue: bigint;
}

export interface SubjectReplay {
  subject: string;
  checks: number;
  wouldDeny: number;
  wouldDenyCostNanos: bigint;
}

const ROLLING_MS: Partial<Record<RuleWindow, number>> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS };

/** The start of the window a call at minute `m` belongs to, for calendar windows (rolling: null). */
function calendarKey(window: RuleWindow, m: number): number {
  return window === "calendar_day" ? floorToDay(new Date(m)).getTime() : startOfMonth(new Date(m)).getTime();
}

/**
 * Replay one rule over minute-by-minute calls, in time order, with enforce semantics: a call is
 * denied when the usage in the rule's window before it plus its own need exceeds the limit
 * (describe-limit.ts: `used >= limit || used + need > limit`), and a denied call does not count
 * toward the usage. Within a minute, calls the rule does not limit count first; the n calls it
 * limits each need 1 request, or the minute's average tokens / cost (integer division), so
 * `allowed = min(n, room / need)`. Only minutes at or after `from` are counted in the answer;
 * earlier ones (the window's warm-up) only fill the usage. Pure.
 */
export function replayRule(rule: ReplayRule, rows: MinuteCalls[], from: number): SubjectReplay[] {
  const bySubject = new Map<string, MinuteCalls[]>();
  for (const r of rows) {
    const list = bySubject.get(r.subject);
    if (list) list.push(r);
    else bySubject.set(r.subject, [r]);
  }
  const rollingMs = ROLLING_MS[rule.window] ?? 0;
  const out: SubjectReplay[] = [];
  for (const [subject, list] of bySubject) {
    // Time order; within a minute the calls the rule does not limit first.
    list.sort((a, b) => a.minute - b.minute || Number(a.applies) - Number(b.applies));
    // Admitted amounts still in the window: [minute, amount], oldest first.
    const kept: Array<[number, bigint]> = [];
    let used = 0n;
    let calendar = Number.NaN;
    const result: SubjectReplay = { subject, checks: 0, wouldDeny: 0, wouldDenyCostNanos: 0n };
    for (const r of list) {
      if (rollingMs) {
        // A bucket b counts at minute m while b > m - W (windows.ts).
        while (kept.length && kept[0]![0] <= r.minute - rollingMs) used -= kept.shift()![1];
      } else {
        const key = calendarKey(rule.window, r.minute);
        if (key !== calendar) {
          calendar = key;
          used = 0n;
        }
      }
      const total = rule.metric === "requests" ? BigInt(r.calls) : rule.metric === "tokens" ? r.tokens : r.costNanos;
      let admitted: bigint;
      let allowed: number;
      if (!r.applies) {
        allowed = r.calls;
        admitted = total;
      } else {
        const need = rule.metric === "requests" ? 1n : total / BigInt(r.calls);
        if (used >= rule.limitValue) allowed = 0;
        else if (need === 0n) allowed = r.calls;
        else {
          const room = (rule.limitValue - used) / need;
          allowed = room >= BigInt(r.calls) ? r.calls : Number(room);
        }
        // All allowed: the minute's exact sum; else `allowed` calls of the average.
        admitted = allowed === r.calls ? total : BigInt(allowed) * need;
        if (r.minute >= from) {
          const denied = r.calls - allowed;
          result.checks += r.calls;
          result.wouldDeny += denied;
          if (denied > 0)
            result.wouldDenyCostNanos += r.costNanos - (allowed === 0 ? 0n : (r.costNanos * BigInt(allowed)) / BigInt(r.calls));
        }
      }
      if (admitted > 0n) {
        used += admitted;
        if (rollingMs) kept.push([r.minute, admitted]);
      }
    }
    out.push(result);
  }
  return out;
}

/** The shape of a shadow answer, from per-subject replays. */
export function summarise(results: SubjectReplay[], limit: number) {
  const denied = results.filter((r) => r.wouldDeny > 0);
  return {
    checks: results.reduce((n, r) => n + r.checks, 0),
    wouldDeny: results.reduce((n, r) => n + r.wouldDeny, 0),
    wouldDenyCostNanos: results.reduce((n, r) => n + r.wouldDenyCostNanos, 0n),
    endUsers: denied.length,
    top: denied
      .sort((a, b) => b.wouldDeny - a.wouldDeny || (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0))
      .slice(0, limit)
      .map((r) => ({ userId: r.subject, wouldDeny: r.wouldDeny, wouldDenyCostUsd: nanosToUsd(r.wouldDenyCostNanos) })),
  };
}

export interface PreviewRule {
  scope: RuleScope;
  match: string | null;
  filters: RuleFilters | null;
  metric: RuleMetric;
  window: RuleWindow;
  limitValue: bigint;
}

/**
 * The minute calls a rule would have seen between `warmFrom` and `to`. Without filters: the
 * usage rollups of the rule's dimension (the counters the check reads). Minute buckets older
 * than 48 h are compacted into hour buckets (maintenance/compact-rollups.ts): such an hour's
 * calls are replayed as if they all came at its start, which overstates denials of minute and
 * hour windows there. With filters (or a segment: its current members): the events, grouped
 * by (subject, minute) with the filters applied, exact to the minute.
 */
export async function readReplayCalls(
  db: Queryable,
  workspaceId: string,
  rule: PreviewRule,
  warmFrom: Date,
  to: Date,
  segmentMembers: SQL | null,
): Promise<MinuteCalls[]> {
  type Row = { subject: string; minute: Date | string; calls: string; tokens: string; cost: string; applies: boolean };
  let rows: Row[];
  if (!hasFilters(rule.filters) && !segmentMembers) {
    const match = rule.scope === "workspace" ? sql`and key = ''` : rule.match !== null ? sql`and key = ${rule.match}` : sql``;
    rows = resultRows<Row>(
      await db.execute(sql`select key as subject, bucket as minute, sum(requests)::text as calls,
          sum(total_tokens)::text as tokens, sum(cost_nanos)::text as cost, true as applies
        from usage_rollups
        where workspace_id = ${workspaceId} and dimension = ${rule.scope} ${match}
          and bucket >= ${warmFrom.toISOString()}::timestamptz and bucket < ${to.toISOString()}::timestamptz
        group by key, bucket`),
    );
  } else {
    const column = { user: sql`user_id`, org: sql`org_id`, feature: sql`feature`, tier: sql`tier`, workspace: sql`''` }[rule.scope];
    const where: SQL[] = [
      sql`workspace_id = ${workspaceId}`,
      sql`occurred_at >= ${warmFrom.toISOString()}::timestamptz`,
      sql`occurred_at < ${to.toISOString()}::timestamptz`,
    ];
    if (rule.scope !== "workspace") where.push(sql`${column} is not null`);
    if (rule.match !== null && rule.scope !== "workspace") where.push(sql`${column} = ${rule.match}`);
    const f = rule.filters ?? {};
    if (f.tier) where.push(sql`tier = ${f.tier}`);
    if (f.feature) where.push(sql`feature = ${f.feature}`);
    if (f.orgId) where.push(sql`org_id = ${f.orgId}`);
    if (f.model) where.push(sql`lower(model) = lower(${f.model})`);
    // A segment picks whom the rule limits: per-user rules see members only; pooled counters count everyone's calls.
    if (segmentMembers && rule.scope === "user") where.push(sql`user_id in (${segmentMembers})`);
    const applies = segmentMembers && rule.scope !== "user" ? sql`coalesce(user_id in (${segmentMembers}), false)` : sql`true`;
    rows = resultRows<Row>(
      await db.execute(sql`select ${column} as subject, date_trunc('minute', occurred_at, 'UTC') as minute, count(*)::text as calls,
          coalesce(sum(total_tokens), 0)::text as tokens, coalesce(sum(cost_nanos), 0)::text as cost, ${applies} as applies
        from events where ${sql.join(where, sql` and `)}
        group by 1, 2, 6`),
    );
  }
  return rows.map((r) => ({
    subject: r.subject,
    minute: new Date(r.minute).getTime(),
    calls: Number(r.calls),
    tokens: BigInt(r.tokens),
    costNanos: BigInt(r.cost),
    applies: r.applies === true || (r.applies as unknown) === "t",
  }));
}

/** The replay's range: the last PREVIEW_DAYS days to `now`, and where its reads start (the first window's start). */
export function previewRange(window: RuleWindow, now: Date) {
  const from = floorToMinute(new Date(now.getTime() - PREVIEW_DAYS * DAY_MS));
  return { from, to: now, warmFrom: windowStart(window, from) };
}
