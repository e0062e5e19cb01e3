import { sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { reservations, type Dimension } from "@/db/schema";
import type { TCheckInput, TCheckResult } from "@/server/contract/sdk";
import { newId } from "@/server/lib/ids";
import type { ServiceCtx } from "../context";
import { emitCrossings } from "../alerts/emit-crossings";
import { classifyCheckInput } from "../intent/fast-labels";
import { estimateRequest } from "./estimate";
import { describeLimit, type Usage } from "./describe-limit";
import { readBuckets, readUsage, type Subject } from "./read-usage";
import { isRolling, rollingFreeAt } from "./windows";
import { getWorkspaceState, type BlockRow, type RuleRow } from "../workspaces/workspace-state";

/** Reservations of allowed checks that never get a record stop counting after this. */
export const RESERVATION_TTL_MS = 10 * 60_000;

/**
 * May this end user make this LLM call? Blocklist, then rules. Reads cached rules and
 * blocklist and one statement of rollup counters; when a blocking limit applies, the read,
 * the decision and the reservation happen under a per-subject lock, so N concurrent checks
 * never allow more than the limit. No network call beyond the database, no LLM call.
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
  const labels = classifyCheckInput(input.input);

  const block = activeBlock(state.blocks, input, now);
  if (block) {
    const until = block.expiresAt;
    return {
      allowed: false,
      labels,
      reason: "blocked",
      message: `${block.subjectType === "org" ? "Org" : "User"} ${block.subjectId} is blocked${
        block.reason ? `: ${block.reason}` : ""
      }${until ? ` until ${until.toISOString()}` : ""}`,
      retryAfterSeconds: until ? Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)) : null,
      blockedUntil: until ? until.toISOString() : null,
      limits: [],
      actions: [],
    };
  }

  const matching = state.rules.filter((r) => ruleSubject(r, input) !== null);
  if (matching.length === 0) {
    return { allowed: true, labels, reason: null, message: null, retryAfterSeconds: null, blockedUntil: null, limits: [], actions: [] };
  }
  const estimate = estimateRequest(input, matching);
  const enforcing = matching.some((r) => r.action === "block");
  const decide = async (db: Queryable) => {
    const subjects = matching.map((r) => ({ ...ruleSubject(r, input)!, window: r.window }));
    const usage = await readUsage(db, ctx.workspaceId, subjects, now);
    const limits = matching.map((rule, i) => describeLimit(rule, subjects[i]!.key, usage[i]!, estimate, now));
    const exceeded = limits.filter((l) => l.exceeded);
    const blocking = exceeded.filter((l) => l.rule.action === "block");
    for (const [i, l] of limits.entries()) {
      if (!l.exceeded || l.rule.action !== "block" || !isRolling(l.rule.window)) continue;
      const buckets = await readBuckets(db, ctx.workspaceId, subjects[i]!, l.rule.window, l.rule.metric, now);
      l.freeAt = rollingFreeAt(l.rule.window, buckets, l.used, l.need, l.rule.limitValue);
    }
    if (blocking.length === 0 && enforcing) {
      await db.insert(reservations).values({
        id: newId("rsv"),
        workspaceId: ctx.workspaceId,
        userId: input.userId,
        orgId: input.orgId ?? null,
        feature: input.feature ?? null,
        tier: input.tier ?? null,
        tokens: Number(estimate.tokens),
        costNanos: estimate.costNanos,
        createdAt: now,
        expiresAt: new Date(now.getTime() + RESERVATION_TTL_MS),
      });
    }
    return { limits, exceeded, blocking };
  };
  const { limits, exceeded, blocking } = enforcing
    ? await ctx.db.transaction(async (tx) => {
        await lockSubjects(tx, ctx.workspaceId, matching, input);
        return decide(tx);
      })
    : await decide(ctx.db);

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
        threshold: 100,
        used: l.state.used,
        limit: l.state.limit,
        at: now,
      })),
    );
  }
  const actions = [...new Set(exceeded.filter((l) => l.rule.action !== "block" && l.rule.action !== "alert").map((l) => l.rule.action))];
  const first = blocking[0];
  const retryAfter = blocking.length
    ? Math.max(...blocking.map((l) => (l.freeAt ? Math.ceil((l.freeAt.getTime() - now.getTime()) / 1000) : 60)))
    : null;
  return {
    allowed: !first,
    labels,
    reason: first ? "limit_exceeded" : null,
    message: first ? first.message : null,
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

/** Serialise checks on the same counters (sorted: no deadlocks). Other users are not blocked. */
async function lockSubjects(tx: Queryable, workspaceId: string, matching: RuleRow[], input: TCheckInput) {
  const keys = [
    ...new Set(
      matching
        .filter((r) => r.action === "block")
        .map((r) => ruleSubject(r, input)!)
        .map((s) => `${workspaceId}\u001f${s.dimension}\u001f${s.key}`),
    ),
  ].sort();
  for (const key of keys) await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
}

export type { Usage };
