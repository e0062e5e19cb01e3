import type { Restriction } from "../core/user-signals";
import type { RuleRow } from "../core/workspace-state";

// Rules made up for active label-policy throttles: they go through the same one-statement
// read-and-reserve as the workspace's own blocking rules, so N processes enforce one rate.
const policyRules = new WeakMap<RuleRow, Restriction>();

/** A per-minute request limit on this end user for each throttle in force. */
export function throttleRules(workspaceId: string, userId: string, restrictions: Restriction[]): RuleRow[] {
  return restrictions
    .filter((r) => r.action === "throttle" && r.ratePerMinute !== null)
    .map((r) => {
      const rule: RuleRow = {
        id: r.policyId,
        workspaceId,
        name: `Label policy "${r.policyName}"`,
        scope: "user",
        match: userId,
        filters: null,
        metric: "requests",
        window: "minute",
        limitValue: BigInt(r.ratePerMinute!),
        action: "block",
        mode: "enforce",
        enabled: true,
        createdAt: r.expiresAt,
        updatedAt: r.expiresAt,
      };
      policyRules.set(rule, r);
      return rule;
    });
}

/** The throttle behind a made-up rule, or undefined for a workspace rule. */
export function throttleOf(rule: RuleRow): Restriction | undefined {
  return policyRules.get(rule);
}

/** /sdk/check's labels: this input's fast labels and the user's recent ones; ["safe"] when none. */
export function mergeLabels(fast: string[], recent: string[]): string[] {
  const all = new Set([...fast, ...recent]);
  all.delete("safe");
  return all.size ? [...all] : ["safe"];
}
