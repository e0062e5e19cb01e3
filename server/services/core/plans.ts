/**
 * The plans' terms and the plan gate, low in the service layers so that every domain can gate a
 * feature on the plan in force (billing/plans.ts re-exports them with the billing-only values).
 */
import { eq } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { type Plan, workspaces } from "@/db/schema";
import { ForbiddenError } from "../errors";
import type { ServiceCtx } from "../context";
import { getWorkspaceState } from "./workspace-state";

export interface PlanTerms {
  name: string;
  /** USD cents a month. */
  priceCents: number | null;
  /** Tracked requests included per calendar month. */
  included: number | null;
  /** USD cents per 1,000 requests past the included volume; null: hard cap (free) or custom. */
  overageCentsPer1000: number | null;
  hardCap: boolean;
}

/** The plans of DESIGN.md. */
export const PLAN_TERMS: Record<Plan, PlanTerms> = {
  free: { name: "Free", priceCents: 0, included: 25_000, overageCentsPer1000: null, hardCap: true },
  starter: { name: "Starter", priceCents: 4_900, included: 150_000, overageCentsPer1000: 50, hardCap: false },
  growth: { name: "Growth", priceCents: 19_900, included: 750_000, overageCentsPer1000: 30, hardCap: false },
  enterprise: { name: "Enterprise", priceCents: null, included: null, overageCentsPer1000: null, hardCap: false },
};

export const PLAN_ORDER: Plan[] = ["free", "starter", "growth", "enterprise"];

export interface BillingState {
  plan: Plan;
  subscriptionStatus: string | null;
  graceUntil: Date | null;
}

/**
 * The plan whose limits apply now: a paid plan while trialing or active, or past due
 * within the grace period; otherwise (canceled, unpaid, grace over) the free plan's. With
 * billing off there is no subscription: the plan an owner set applies.
 */
export function effectivePlan(s: BillingState, now = new Date()): Plan {
  if (s.plan === "free" || s.subscriptionStatus === null) return s.plan;
  if (s.subscriptionStatus === "active" || s.subscriptionStatus === "trialing") return s.plan;
  if (s.subscriptionStatus === "past_due" && s.graceUntil && s.graceUntil > now) return s.plan;
  return "free";
}

/** Whether the plan in force now is `min` or above (features gated where they act, not only where they are saved). */
export function planAllows(s: BillingState, min: Plan, now = new Date()): boolean {
  return PLAN_ORDER.indexOf(effectivePlan(s, now)) >= PLAN_ORDER.indexOf(min);
}

/**
 * The workspace's billing state read fresh from its row (not the per-process cache), for checks
 * that must see a downgrade at once: sending through a paid channel, signing in by SSO. Null when
 * the workspace is gone.
 */
export async function freshBillingState(db: Queryable, workspaceId: string): Promise<BillingState | null> {
  const [ws] = await db
    .select({ plan: workspaces.plan, subscriptionStatus: workspaces.subscriptionStatus, graceUntil: workspaces.graceUntil })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId))
    .limit(1);
  return ws ?? null;
}

/** Gate a feature: 403 with an upgrade hint when the workspace's plan is below `min`. */
export async function requirePlan(ctx: ServiceCtx, min: Plan, feature: string) {
  const state = await getWorkspaceState(ctx.db, ctx.workspaceId);
  const plan = effectivePlan(state);
  if (PLAN_ORDER.indexOf(plan) < PLAN_ORDER.indexOf(min)) {
    throw new ForbiddenError(
      `${feature} needs the ${PLAN_TERMS[min].name} plan or above (this workspace is on ${PLAN_TERMS[plan].name}). Upgrade on the Billing page.`,
      {
        requiredPlan: min,
        currentPlan: plan,
      },
    );
  }
}

/** Days of data each plan keeps (retention runs daily); Enterprise may have its own (an operator sets it). */
export const RETENTION_DAYS: Record<Plan, number> = { free: 7, starter: 30, growth: 90, enterprise: 365 };

export function retentionDays(plan: Plan, custom: number | null): number {
  return plan === "enterprise" && custom ? custom : RETENTION_DAYS[plan];
}
