import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import type { Dimension } from "@/db/schema";
import type { TCheckInput, TCheckResult } from "@/server/contract/sdk";
import type { ServiceCtx } from "../context";
import { emitCrossings } from "../alerts/emit-crossings";
import { classifyCheckInput } from "../intent/fast-labels";
import { activeRestrictions, recentLabels } from "../intent/user-signals";
import { mergeLabels, throttleOf, throttleRules } from "./policy-restrictions";
import { estimateRequest } from "./estimate";
import { describeLimit, type Usage } from "./describe-limit";
import { readBuckets, readUsage, type FastReserve, type Subject } from "./read-usage";
import { reserve } from "./reserve";
import { isRolling, rollingFreeAt } from "./windows";
import { getWorkspaceState, type BlockRow, type RuleRow } from "../workspaces/workspace-state";

/**
 * A subject with room for more than this many calls of this size is checked without a lock:
 * overrunning it would take that many checks racing in the same few milliseconds. Nearer
 * its limit, checks on the subject are serialised and exact.
 */
export const HEADROOM_CALLS = 1_000n;


/**
 * May this end user make this LLM call? Blocklist, then rules and label-policy throttles.
 * Reads cached rules, blocklist and per-user label signals, and one statement of rollup and
 * reservation counters; near a blocking limit the
 * read, the decision and the reservation happen under a per-subject lock, so N concurrent
 * checks never allow more than the limit. No network call beyond the database, no LLM call.
 */
export async function checkAccess({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: ServiceCtx;
  input: TCheckInput;
  now?: Date;
}): Promise<TCheckResult> {
  const state = await getWorkspaceState(ctx.db, ctx.workspaceId, now.getTime());
  const signals = state.signals.get(input.userId);
  const labels = mergeLabels(
    classifyCheckInput(input.input, { policy: state.usagePolicy, customLabels: state.customLabels }),
    recentLabels(signals, now),
  );
  const restrictions = activeRestrictions(signals, now);
  const policyActions = restrictions.some((r) => r.action === "require_reauth") ? ["require_reauth"] : [];

  const block = activeBlock(state.blocks, input, now);
  if (block) {
    const until = block.expiresAt;
    return {
      allowed: false,
      labels,
      // A label policy's block is an automation entry: the caller learns it was a policy.
      reason: block.source === "automation" ? "policy" : "blocked",
      message: `${block.subjectType === "org" ? "Org" : "User"} ${block.subjectId} is blocked${
        block.reason ? `: ${block.reason}` : ""
      }${until ? ` until ${until.toISOString()}` : ""}`,
      retryAfterSeconds: until ? Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)) : null,
      blockedUntil: until ? until.toISOString() : null,
      limits: [],
      actions: [],
    };
  }

  const matching = [
    ...state.rules.filter((r) => ruleSubject(r, input) !== null),
    ...throttleRules(ctx.workspaceId, input.userId, restrictions),
  ];
  if (matching.length === 0) {
    return { allowed: true, labels, reason: null, message: null, retryAfterSeconds: null, blockedUntil: null, limits: [], actions: policyActions };
  }
  const estimate = estimateRequest(input, matching);
  const subjects = matching.map((r) => ({ ...ruleSubject(r, input)!, window: r.window }));
  const blockingRules = matching.flatMap((rule, index) => (rule.action === "block" ? [{ rule, index }] : []));
  const reservation = {
    workspaceId: ctx.workspaceId,
    userId: input.userId,
    subjects: [...new Set(blockingRules.map(({ index }) => `${subjects[index]!.dimension}:${subjects[index]!.key}`))],
    estimate,
    now,
  };
  const evaluate = async (db: Queryable, fast?: FastReserve) => {
    const { usage, reserved } = await readUsage(db, ctx.workspaceId, subjects, now, fast);
    const limits = matching.map((rule, i) => describeLimit(rule, subjects[i]!.key, usage[i]!, estimate, now));
    const exceeded = limits.filter((l) => l.exceeded);
    return { limits, exceeded, blocking: exceeded.filter((l) => l.rule.action === "block"), reserved };
  };
  // One statement reads every counter and, when each blocking limit has room for more than
  // HEADROOM_CALLS calls like this one, reserves at once: racing checks cannot overrun such a
  // subject. A denial it shows is final (usage only grows until it ages out). Otherwise the
  // subjects near their limit are locked, re-read and reserved under the lock: exact.
  let outcome = await evaluate(
    ctx.db,
    blockingRules.length
      ? {
          headroom: HEADROOM_CALLS,
          reservation,
          rules: blockingRules.map(({ rule, index }) => ({
            index,
            metric: rule.metric,
            need: rule.metric === "requests" ? 1n : rule.metric === "tokens" ? estimate.tokens : estimate.costNanos,
            limit: rule.limitValue,
          })),
        }
      : undefined,
  );
  if (blockingRules.length && !outcome.reserved && outcome.blocking.length === 0) {
    const near = outcome.limits.filter((l) => l.rule.action === "block" && l.used + l.need * HEADROOM_CALLS > l.rule.limitValue);
    outcome = await ctx.db.transaction(async (tx) => {
      await lockSubjects(tx, ctx.workspaceId, near.map((l) => ruleSubject(l.rule, input)!));
      const locked = await evaluate(tx);
      if (locked.blocking.length === 0) await reserve(tx, reservation);
      return locked;
    });
  }
  const { limits, exceeded, blocking } = outcome;
  for (const [i, l] of limits.entries()) {
    if (!l.exceeded || l.rule.action !== "block" || !isRolling(l.rule.window)) continue;
    const buckets = await readBuckets(ctx.db, ctx.workspaceId, subjects[i]!, l.rule.window, l.rule.metric, now);
    l.freeAt = rollingFreeAt(l.rule.window, buckets, l.used, l.need, l.rule.limitValue);
  }

  const alerts = exceeded.filter((l) => l.rule.action === "alert");
  if (alerts.length) {
    await emitCrossings(
      ctx.db,
      alerts.map((l) => ({
        workspaceId: ctx.workspaceId,
        sourceType: "rule" as const,
        sourceId: l.rule.id,
        name: l.rule.name,
        subject: ruleSubject(l.rule, input)!,
        metric: l.rule.metric,
        window: l.rule.window,
        threshold: "100%",
        used: l.state.used,
        limit: l.state.limit,
        at: now,
      })),
    );
  }
  const actions = [
    ...new Set([...exceeded.filter((l) => l.rule.action !== "block" && l.rule.action !== "alert").map((l) => l.rule.action), ...policyActions]),
  ];
  const first = blocking[0];
  const throttle = first && throttleOf(first.rule);
  const retryAfter = blocking.length
    ? Math.max(...blocking.map((l) => (l.freeAt ? Math.ceil((l.freeAt.getTime() - now.getTime()) / 1000) : 60)))
    : null;
  return {
    allowed: !first,
    labels,
    reason: throttle ? "policy" : first ? "limit_exceeded" : null,
    message: throttle
      ? `User ${input.userId} is throttled to ${throttle.ratePerMinute} requests per minute by label policy "${throttle.policyName}" until ${throttle.expiresAt.toISOString()}`
      : first
        ? first.message
        : null,
    retryAfterSeconds: retryAfter === null ? null : Math.max(1, retryAfter),
    blockedUntil: null,
    limits: limits.map((l) => l.state),
    actions,
  };
}

function activeBlock(blocks: Map<string, BlockRow[]>, input: TCheckInput, now: Date): BlockRow | null {
  const candidates = [...(blocks.get(`user:${input.userId}`) ?? []), ...(input.orgId ? blocks.get(`org:${input.orgId}`) ?? [] : [])];
  const active = candidates.filter((b) => !b.expiresAt || b.expiresAt > now);
  if (active.length === 0) return null;
  // The one that blocks longest: permanent first, else the latest expiry.
  return active.sort((a, b) => (b.expiresAt?.getTime() ?? Infinity) - (a.expiresAt?.getTime() ?? Infinity))[0]!;
}

/** Which counter a rule reads for this request, or null when the rule does not apply. */
export function ruleSubject(rule: RuleRow, input: TCheckInput): Subject | null {
  const value: Record<RuleRow["scope"], string | null | undefined> = {
    user: input.userId,
    org: input.orgId,
    feature: input.feature,
    tier: input.tier,
    workspace: "",
  };
  const key = value[rule.scope];
  if (key === null || key === undefined) return null;
  if (rule.match !== null && rule.scope !== "workspace" && rule.match !== key) return null;
  return { dimension: rule.scope as Dimension, key };
}

/** Serialise checks on the same counters (sorted: no deadlocks). Other subjects are not blocked. */
async function lockSubjects(tx: Queryable, workspaceId: string, subjects: Subject[]) {
  const keys = [...new Set(subjects.map((s) => `${workspaceId}\u001f${s.dimension}\u001f${s.key}`))].sort();
  for (const key of keys) await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
}

export type { Usage };
