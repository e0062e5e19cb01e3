import type { Db } from "@/db/client";
import { log } from "@/server/lib/log";
import { planAllows } from "../core/plans";
import { SYSTEM } from "../context";
import type { RuleRow, WorkspaceState } from "../core/workspace-state";
import { assignTier } from "./assign-tier";

const SET_TIER = "set_tier:";

/** The tier a `set_tier:<tier>` action assigns, or null for any other action. */
export function tierOfAction(action: string): string | null {
  return action.startsWith(SET_TIER) ? action.slice(SET_TIER.length) : null;
}

/**
 * The set_tier rules this call crossed: the end user's tier becomes the first one's tier (the
 * check itself is allowed; later calls match the new tier's rules) and `end_user.tier_changed`
 * is published, once (assignTier does nothing for the tier already assigned). Only in enforce
 * mode and on Growth or above (tier automations, like every automation, are checked when they act). A failure is logged, not the check's: the next check over the
 * limit tries again.
 */
export async function applyTierActions(
  db: Db,
  workspaceId: string,
  state: WorkspaceState,
  call: { userId: string; tier?: string | null },
  crossed: Array<{ rule: RuleRow }>,
  now: Date,
) {
  const first = crossed.find(({ rule }) => rule.mode === "enforce" && tierOfAction(rule.action) !== null);
  if (!first) return;
  const tier = tierOfAction(first.rule.action)!;
  if (tier === (call.tier ?? null) || !planAllows(state, "growth", now)) return;
  try {
    await assignTier(db, { workspaceId, userId: call.userId, tier, ruleId: first.rule.id, actor: SYSTEM, now });
  } catch (err) {
    log.warn("could not assign a tier (set_tier)", { ruleId: first.rule.id, err });
  }
}
