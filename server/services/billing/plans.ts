import type { Plan } from "@/db/schema";
import { env } from "@/server/env";
import { PLAN_TERMS } from "../core/plans";

export {
  effectivePlan,
  PLAN_ORDER,
  PLAN_TERMS,
  planAllows,
  requirePlan,
  type BillingState,
  type PlanTerms,
} from "../core/plans";

export const TRIAL_DAYS = 14;
export const GRACE_DAYS = 7;

export function freeCap(): number {
  return env().TOKENIST_FREE_REQUESTS;
}

/**
 * Tracked requests included a month on `plan`: the Free cap, the plan table's volume, or on
 * Enterprise the workspace's own (`workspaces.included_requests`, set by the operator), null
 * without one. Usage notices (80% / 100%) and the Billing page measure against it.
 */
export function includedRequests(plan: Plan, custom: number | null): number | null {
  if (plan === "free") return freeCap();
  if (plan === "enterprise") return custom ?? PLAN_TERMS.enterprise.included;
  return PLAN_TERMS[plan].included;
}
