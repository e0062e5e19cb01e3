import type { Dimension, RuleFilters } from "@/db/schema";
import type { RuleRow } from "../core/workspace-state";

/** What a rule looks at in a call: the check's fields, or the record's (with what it took from its check). */
export interface CallFacts {
  userId?: string | null;
  orgId?: string | null;
  feature?: string | null;
  tier?: string | null;
  model?: string | null;
  /**
   * Is this end user a member of the segment (check only: `filters.segment` says who a rule
   * applies to). Absent at record time: which calls count never depends on membership.
   */
  inSegment?: (segmentId: string) => boolean;
}

export interface Subject {
  dimension: Dimension;
  key: string;
}

/**
 * Which counter a rule reads (check) or adds to (record) for this call, or null when the rule
 * does not apply. `scope` says who counts: each end user or org separately, or one pooled
 * tier / feature / workspace. A rule with filters applies only to calls matching every filter
 * and counts them on its own counter (`rule:<id>|<subject>`), so "each free-tier user, 50 a day
 * on gpt-4o" counts that user's gpt-4o calls and nothing else.
 */
export function ruleSubject(rule: Pick<RuleRow, "id" | "scope" | "match" | "filters">, call: CallFacts): Subject | null {
  const key = scopeKey(rule.scope, call);
  if (key === null || key === undefined) return null;
  if (rule.match !== null && rule.scope !== "workspace" && rule.match !== key) return null;
  if (rule.filters?.segment && call.inSegment && !call.inSegment(rule.filters.segment)) return null;
  if (!hasFilters(rule.filters)) return { dimension: rule.scope, key };
  if (!matchesFilters(rule.filters, call)) return null;
  return { dimension: "rule", key: `${rule.id}|${key}` };
}

/**
 * Does the rule count only some calls (on its own counter)? `segment` does not narrow the
 * calls: it picks the end users the rule applies to, who count on the plain counters.
 */
export function hasFilters(filters: RuleFilters | null | undefined): filters is RuleFilters {
  if (!filters) return false;
  // A loop, not Object.entries: every check asks this of every rule.
  for (const k in filters) {
    const v = filters[k as keyof RuleFilters];
    if (k !== "segment" && v !== undefined && v !== null && v !== "") return true;
  }
  return false;
}

/** The call's value for a rule's scope ("" for the workspace); null or undefined when the call has none. */
function scopeKey(scope: RuleRow["scope"], call: CallFacts): string | null | undefined {
  switch (scope) {
    case "user":
      return call.userId;
    case "org":
      return call.orgId;
    case "feature":
      return call.feature;
    case "tier":
      return call.tier;
    case "workspace":
      return "";
  }
}

/** Every filter given must match; models compare case-insensitively (providers vary the case). */
export function matchesFilters(filters: RuleFilters, call: CallFacts): boolean {
  if (filters.tier && filters.tier !== call.tier) return false;
  if (filters.feature && filters.feature !== call.feature) return false;
  if (filters.orgId && filters.orgId !== call.orgId) return false;
  if (filters.model && filters.model.toLowerCase() !== call.model?.toLowerCase()) return false;
  return true;
}

/** The filtered-rule counters a recorded call adds to (the plain dimensions are in rollupKeys). */
export function filteredRuleKeys(rules: RuleRow[], call: CallFacts): Array<[Dimension, string]> {
  const keys = new Set<string>();
  for (const rule of rules) {
    if (!hasFilters(rule.filters)) continue;
    const subject = ruleSubject(rule, call);
    if (subject) keys.add(subject.key);
  }
  return [...keys].sort().map((key) => ["rule", key]);
}
