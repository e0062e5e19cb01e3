import type { z } from "zod";
import type { ZLimitState } from "@/server/contract/sdk";
import { formatNanos, nanosToUsd } from "../core/pricing";
import type { Estimate } from "./estimate";
import type { SubjectUsage } from "./read-usage";
import type { RuleRow } from "../core/workspace-state";
import { bucketExpiry, calendarReset, isRolling } from "../core/windows";

export type Usage = SubjectUsage;

export interface LimitOutcome {
  rule: RuleRow;
  exceeded: boolean;
  used: bigint;
  need: bigint;
  /** Calendar windows: the reset. Rolling: filled in by the caller from the buckets. */
  freeAt: Date | null;
  message: string;
  state: z.infer<typeof ZLimitState>;
}

const WINDOW_WORDS: Record<RuleRow["window"], string> = {
  minute: "Per-minute",
  hour: "Hourly",
  day: "24-hour",
  calendar_day: "Daily",
  calendar_month: "Monthly",
};

/** One rule against its counter: used, remaining, exceeded, and words for the answer. */
export function describeLimit(rule: RuleRow, subjectKey: string, usage: SubjectUsage, estimate: Estimate, now: Date): LimitOutcome {
  const used = rule.metric === "requests" ? usage.requests : rule.metric === "tokens" ? usage.tokens : usage.costNanos;
  const need = rule.metric === "requests" ? 1n : rule.metric === "tokens" ? estimate.tokens : estimate.costNanos;
  const limit = rule.limitValue;
  // Full already, or this call's own (estimated) share would overshoot.
  const exceeded = used >= limit || used + need > limit;
  const remaining = used >= limit ? 0n : limit - used;
  // A calendar window resets (and frees) at one instant; a rolling one as its oldest bucket ages out.
  const reset = isRolling(rule.window) ? null : calendarReset(rule.window, now);
  const resetsAt = reset ?? (usage.oldestBucket ? bucketExpiry(rule.window, usage.oldestBucket) : null);
  const toNumber = (v: bigint) => (rule.metric === "cost_usd" ? nanosToUsd(v) : Number(v));
  return {
    rule,
    exceeded,
    used,
    need,
    freeAt: reset,
    // Words only for a limit that is hit: this runs for every rule on every check.
    message: exceeded ? limitMessage(rule, subjectKey, limit) : "",
    state: {
      ruleId: rule.id,
      name: rule.name,
      metric: rule.metric,
      window: rule.window,
      used: toNumber(used),
      limit: toNumber(limit),
      remaining: toNumber(remaining),
      resetsAt: resetsAt ? resetsAt.toISOString() : null,
    },
  };
}

function limitMessage(rule: RuleRow, subjectKey: string, limit: bigint): string {
  const shown = rule.metric === "cost_usd" ? `$${formatUsd(limit)}` : `${limit.toLocaleString("en-US")} ${rule.metric}`;
  const who = rule.scope === "workspace" ? "this workspace" : `${rule.scope} ${subjectKey}`;
  return `${WINDOW_WORDS[rule.window]} ${rule.metric === "cost_usd" ? "cost" : rule.metric} limit of ${shown} reached for ${who} (rule "${rule.name}")`;
}

function formatUsd(nanos: bigint): string {
  const s = formatNanos(nanos);
  const [whole, frac = ""] = s.split(".");
  return `${whole}.${frac.padEnd(2, "0")}`;
}
