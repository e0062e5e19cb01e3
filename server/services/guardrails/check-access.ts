import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import type { RuleWindow } from "@/db/schema";
import type { TCheckInput, TCheckResult } from "@/server/contract/sdk";
import { newId } from "@/server/lib/ids";
import type { ServiceCtx } from "../context";
import { emitCrossings } from "@/server/events/publish";
import { quotaState, trackRequest, uncappedQuota } from "../billing/tracked-requests";
import { applyCheckStagePolicies, checkStageWatching, labelDenialMessage, NO_CHECK_STAGE_OUTCOME } from "../intent/check-stage-policies";
import { applyContentPolicies, contentDenialMessage, contentPoliciesWatching } from "../intent/content-policies";
import { actingPolicies, policiesFor } from "../intent/evaluate-policies";
import { planAllows } from "../core/plans";
import { classifyCheckContent, classifyCheckInput } from "../intent/fast-labels";
import { activeRestrictions, recentLabels } from "../core/user-signals";
import { mergeLabels, throttleOf, throttleRules } from "./policy-restrictions";
import { estimateRequest } from "./estimate";
import { describeLimit, type Usage } from "./describe-limit";
import { readBuckets, readUsage } from "./read-usage";
import { readUsageFast, reservationsWritten, reserveBehind } from "./fast-path";
import { beginWrite, endWrite, mirroredUsage, mirrorIsExact, noteReservation } from "./usage-mirror";
import { reserve, type ReservationSpec } from "./reserve";
import { type CallFacts, ruleSubject, type Subject } from "./rule-subject";
import { noteShadow, shadowCostNanos } from "./shadow-stats";
import { applyTierActions } from "./tier-actions";
import { isRolling, rollingFreeAt } from "../core/windows";
import { freshWorkspaceState, getWorkspaceState, type BlockRow, type RuleRow } from "../core/workspace-state";

/**
 * A subject with room for more than this many calls of this size is checked without a lock:
 * overrunning it would take that many checks racing in the same few milliseconds. Nearer
 * its limit, checks on the subject are serialised and exact.
 */
export const HEADROOM_CALLS = 1_000n;

/**
 * May this end user make this LLM call? Blocklist, check-stage label policies, content-stage ones
 * (the call's tool results), then rules and label-policy throttles. Reads cached rules, blocklist
 * and per-user label signals, and the rollup and reservation counters in a statement shared with concurrent checks (fast-path.ts);
 * far from every blocking limit it answers without waiting on a write; near one the read, the
 * decision and the reservation happen under a per-subject lock, so N concurrent checks never
 * allow more than the limit. An allowed check is kept (its checkId) until its record settles it. Past the
 * Free plan's cap it keeps deciding (and says `quota.exceeded`), but is neither kept nor
 * counted. No network call beyond the database, no LLM call.
 */
export async function checkAccess({
  ctx,
  input: requested,
  now = new Date(),
}: {
  ctx: ServiceCtx;
  input: TCheckInput;
  now?: Date;
}): Promise<TCheckResult> {
  const state = freshWorkspaceState(ctx.workspaceId, now.getTime()) ?? (await getWorkspaceState(ctx.db, ctx.workspaceId, now.getTime()));
  const quota = uncappedQuota(state, now) ?? (await quotaState(ctx.db, ctx.workspaceId, now));
  const quotaAnswer = quota.limit === null ? undefined : { exceeded: quota.exceeded, resetsAt: quota.resetsAt };
  const signals = state.signals.get(requested.userId);
  // A tier Tokenist assigned (set_tier) wins over the one the SDK sent: the call matches its rules.
  const input = signals?.tier ? { ...requested, tier: signals.tier } : requested;
  const fast = classifyCheckInput(input.input, { policy: state.usagePolicy, customLabels: state.customLabels });
  const labels = mergeLabels(fast, recentLabels(signals, now));
  // Indirect prompt injection: what the application fetched for this call, apart from the user's words.
  const contentLabels = classifyCheckContent(input.input);
  const restrictions = activeRestrictions(signals, now);
  // Counted once per call, here; the record that settles this check adds nothing. Not past the cap.
  if (!quota.exceeded) trackRequest(ctx.workspaceId, now);
  const denied = (d: Pick<TCheckResult, "reason" | "message" | "retryAfterSeconds" | "blockedUntil">): TCheckResult => ({
    allowed: false,
    labels,
    contentLabels,
    ...d,
    limits: [],
    actions: [],
    checkId: null,
    ...(quotaAnswer && { quota: quotaAnswer }),
  });

  const block = activeBlock(state.blocks, input, now);
  if (block) {
    const until = block.expiresAt;
    return denied({
      // A label policy's block is an automation entry: the caller learns it was a policy.
      reason: block.source === "automation" ? "policy" : "blocked",
      message: `${block.subjectType === "org" ? "Org" : "User"} ${block.subjectId} is blocked${
        block.reason ? `: ${block.reason}` : ""
      }${until ? ` until ${until.toISOString()}` : ""}`,
      retryAfterSeconds: until ? Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)) : null,
      blockedUntil: until ? until.toISOString() : null,
    });
  }

  const checkId = newId("chk", now.getTime());
  const acting = policiesFor(actingPolicies(state.labelPolicies, planAllows(state, "growth", now)), state.segmentMembers, input.userId);
  // Awaited only when a check-stage policy watches one of this input's labels (the usual check: none).
  const watchingCheck = checkStageWatching(acting, fast);
  const stage =
    watchingCheck.length === 0
      ? NO_CHECK_STAGE_OUTCOME
      : await applyCheckStagePolicies(ctx.db, { workspaceId: ctx.workspaceId, userId: input.userId, checkId, watched: watchingCheck, now });
  if (stage.deny) {
    return denied({ reason: "label", message: labelDenialMessage(input.userId, stage.deny), retryAfterSeconds: null, blockedUntil: null });
  }
  // An injection in this call's tool results: a content-stage policy refuses the call, not the user.
  const watchingContent = contentPoliciesWatching(acting, contentLabels);
  if (watchingContent.length > 0) {
    const content = await applyContentPolicies(ctx.db, {
      workspaceId: ctx.workspaceId,
      userId: input.userId,
      checkId,
      watched: watchingContent,
      now,
    });
    if (content.deny) {
      return denied({
        reason: "content",
        message: contentDenialMessage(input.userId, content.deny),
        retryAfterSeconds: null,
        blockedUntil: null,
      });
    }
  }
  const policyActions = [...(restrictions.some((r) => r.action === "require_reauth") ? ["require_reauth"] : []), ...stage.actions];

  // A rule targeting a segment applies to its members only (the minute job keeps them in memory).
  // Each rule's subject is worked out once per check (loops, not spreads and flatMaps: this runs on every check).
  const facts: CallFacts = {
    userId: input.userId,
    orgId: input.orgId,
    feature: input.feature,
    tier: input.tier,
    model: input.model,
    inSegment: (segmentId: string) => state.segmentMembers.get(segmentId)?.has(input.userId) ?? false,
  };
  const matching: RuleRow[] = [];
  const subjects: Array<Subject & { window: RuleWindow }> = [];
  const blockingSubjects = new Set<string>();
  for (const list of [state.rules, throttleRules(ctx.workspaceId, input.userId, restrictions)]) {
    for (const rule of list) {
      const subject = ruleSubject(rule, facts);
      if (!subject) continue;
      matching.push(rule);
      subjects.push({ dimension: subject.dimension, key: subject.key, window: rule.window });
      if (rule.action === "block") blockingSubjects.add(`${subject.dimension}:${subject.key}`);
    }
  }
  const estimate = estimateRequest(input, matching);
  const reservation: ReservationSpec = {
    id: checkId,
    workspaceId: ctx.workspaceId,
    userId: input.userId,
    subjects: [...blockingSubjects].sort(),
    estimate,
    call: {
      model: input.model ?? null,
      feature: input.feature ?? null,
      tier: input.tier ?? null,
      orgId: input.orgId ?? null,
      requestType: input.requestType ?? null,
    },
    now,
  };
  // Past the cap nothing is recorded, so nothing is kept to settle: decide only.
  const keep = !quota.exceeded;
  const allowedAnswer = (extra: Pick<TCheckResult, "limits" | "actions">): TCheckResult => ({
    allowed: true,
    labels,
    contentLabels,
    reason: null,
    message: null,
    retryAfterSeconds: null,
    blockedUntil: null,
    ...extra,
    checkId: keep ? checkId : null,
    ...(quotaAnswer && { quota: quotaAnswer }),
  });
  if (matching.length === 0) {
    if (keep) reserveBehind(ctx.db, reservation);
    return allowedAnswer({ limits: [], actions: [...new Set(policyActions)] });
  }
  // Shadow rules are evaluated like the others (same reads, their block counters held by the
  // reservation) but never decide, lock, act or show in `limits`: only counted (shadow-stats.ts).
  const anyShadow = matching.some((r) => r.mode === "shadow");
  const evaluate = (usage: Usage[]) => {
    const every = matching.map((rule, i) => describeLimit(rule, subjectName(subjects[i]!), usage[i]!, estimate, now));
    const limits = anyShadow ? every.filter((l) => l.rule.mode !== "shadow") : every;
    const shadow = anyShadow ? every.filter((l) => l.rule.mode === "shadow") : [];
    const exceeded = limits.filter((l) => l.exceeded);
    return { every, limits, shadow, exceeded, blocking: exceeded.filter((l) => l.rule.action === "block") };
  };
  // Far from every limit (room for more than HEADROOM_CALLS calls like this one on each blocking
  // rule, no rule exceeded), the check is answered from this process's mirror of the counters and
  // its reservation written behind: no statement waited on. Otherwise one read shared with the
  // concurrent checks (which counts this process's unwritten admissions): far → the same; a
  // denial it shows is final (usage only grows until it ages out); near a blocking limit, the
  // subjects are locked, re-read and reserved under the lock: exact.
  const nearOf = (o: ReturnType<typeof evaluate>) =>
    o.limits.filter((l) => l.rule.action === "block" && l.used + l.need * HEADROOM_CALLS > l.rule.limitValue);
  const mirrored = keep ? mirroredUsage(ctx.db, ctx.workspaceId, subjects, now) : null;
  const fromMemory = mirrored && evaluate(mirrored);
  let outcome: ReturnType<typeof evaluate>;
  // Exceeded non-blocking rules are answered from memory only where the mirror is exact (PGlite).
  // A shadow rule's decision must be as exact as an enforce rule's: near (or past) its limit, a
  // shadow block rule is read like an enforce one (but never locked); an exceeded shadow rule of
  // another action is answered from memory only where the mirror is exact.
  const shadowUnsure = (o: ReturnType<typeof evaluate>) =>
    o.shadow.some((l) =>
      l.rule.action === "block" ? l.exceeded || l.used + l.need * HEADROOM_CALLS > l.rule.limitValue : l.exceeded && !mirrorIsExact(ctx.db),
    );
  const memoryDecides = (o: ReturnType<typeof evaluate>) =>
    nearOf(o).length === 0 &&
    o.blocking.length === 0 &&
    (o.exceeded.length === 0 || mirrorIsExact(ctx.db)) &&
    (!anyShadow || !shadowUnsure(o));
  if (fromMemory && memoryDecides(fromMemory)) {
    outcome = fromMemory;
    reserveBehind(ctx.db, reservation);
  } else {
    outcome = evaluate(await readUsageFast(ctx.db, ctx.workspaceId, subjects, now));
  }
  if (outcome !== fromMemory && keep && outcome.blocking.length === 0) {
    const near = nearOf(outcome);
    if (near.length === 0) {
      reserveBehind(ctx.db, reservation);
    } else {
      // This process's admissions written behind must be in the locked read.
      await reservationsWritten(ctx.db);
      const seq = beginWrite(ctx.db);
      try {
        outcome = await ctx.db.transaction(async (tx) => {
          await lockSubjects(
            tx,
            ctx.workspaceId,
            near.map((l) => ruleSubject(l.rule, input)!),
          );
          const locked = evaluate((await readUsage(tx, ctx.workspaceId, subjects, now)).usage);
          if (locked.blocking.length === 0) await reserve(tx, reservation);
          return locked;
        });
        if (outcome.blocking.length === 0) noteReservation(ctx.db, reservation, seq);
      } finally {
        endWrite(ctx.db, seq);
      }
    }
  }
  const { limits, exceeded, blocking } = outcome;
  for (const [i, l] of outcome.every.entries()) {
    if (!l.exceeded || l.rule.action !== "block" || l.rule.mode === "shadow" || !isRolling(l.rule.window)) continue;
    const buckets = await readBuckets(ctx.db, ctx.workspaceId, subjects[i]!, l.rule.window, l.rule.metric, now);
    l.freeAt = rollingFreeAt(l.rule.window, buckets, l.used, l.need, l.rule.limitValue);
  }

  // What each shadow rule would have done (for a block rule: denied; otherwise: acted), written behind.
  if (outcome.shadow.length > 0) {
    noteShadow(
      ctx.db,
      outcome.shadow.map((l) => ({
        workspaceId: ctx.workspaceId,
        sourceId: l.rule.id,
        userId: input.userId,
        at: now,
        wouldDeny: l.exceeded,
        costNanos: l.exceeded ? shadowCostNanos(input, estimate, now) : 0n,
      })),
    );
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
  if (exceeded.length > 0) await applyTierActions(ctx.db, ctx.workspaceId, state, input, exceeded, now);
  const actions = [
    ...new Set([
      ...exceeded.filter((l) => l.rule.action !== "block" && l.rule.action !== "alert").map((l) => l.rule.action),
      ...policyActions,
    ]),
  ];
  const first = blocking[0];
  if (!first) return allowedAnswer({ limits: limits.map((l) => l.state), actions });
  const throttle = throttleOf(first.rule);
  const retryAfter = Math.max(...blocking.map((l) => (l.freeAt ? Math.ceil((l.freeAt.getTime() - now.getTime()) / 1000) : 60)));
  return {
    ...denied({
      reason: throttle ? "policy" : "limit_exceeded",
      message: throttle
        ? `User ${input.userId} is throttled to ${throttle.ratePerMinute} requests per minute by label policy "${throttle.policyName}" until ${throttle.expiresAt.toISOString()}`
        : first.message,
      retryAfterSeconds: Math.max(1, retryAfter),
      blockedUntil: null,
    }),
    limits: limits.map((l) => l.state),
    actions,
  };
}

/** The subject a limit message names: the end user, org, tier or feature (not the filtered counter's key). */
function subjectName(subject: Subject): string {
  return subject.dimension === "rule" ? subject.key.slice(subject.key.indexOf("|") + 1) : subject.key;
}

function activeBlock(blocks: Map<string, BlockRow[]>, input: TCheckInput, now: Date): BlockRow | null {
  const candidates = [...(blocks.get(`user:${input.userId}`) ?? []), ...(input.orgId ? (blocks.get(`org:${input.orgId}`) ?? []) : [])];
  const active = candidates.filter((b) => !b.expiresAt || b.expiresAt > now);
  if (active.length === 0) return null;
  // The one that blocks longest: permanent first, else the latest expiry.
  return active.sort((a, b) => (b.expiresAt?.getTime() ?? Infinity) - (a.expiresAt?.getTime() ?? Infinity))[0]!;
}

/** Serialise checks on the same counters (sorted: no deadlocks). Other subjects are not blocked. */
async function lockSubjects(tx: Queryable, workspaceId: string, subjects: Subject[]) {
  const keys = [...new Set(subjects.map((s) => `${workspaceId}\u001f${s.dimension}\u001f${s.key}`))].sort();
  for (const key of keys) await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
}

export type { Usage };
export { ruleSubject };
