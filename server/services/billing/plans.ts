import { env } from "@/server/env";

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
