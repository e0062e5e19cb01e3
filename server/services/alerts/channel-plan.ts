import type { Queryable } from "@/db/client";
import type { ChannelType, Plan } from "@/db/schema";
import { effectivePlan, PLAN_ORDER, PLAN_TERMS } from "../billing/plans";
import { freshBillingState } from "../core/plans";

/** The plan each channel type needs: signed webhooks are a Growth feature, the rest Starter. */
export const CHANNEL_PLAN: Record<ChannelType, { plan: Plan; feature: string }> = {
  email: { plan: "starter", feature: "Alerts" },
  slack: { plan: "starter", feature: "Alerts" },
  webhook: { plan: "growth", feature: "Webhook alerts" },
};

/**
 * Why the workspace may not send through a channel of this type now, or null if it may. Read
 * fresh at send time (not from the per-process cache): a workspace downgraded after it
 * configured a channel stops sending through it at once.
 */
export async function channelPlanRefusal(db: Queryable, workspaceId: string, type: ChannelType): Promise<string | null> {
  const ws = await freshBillingState(db, workspaceId);
  if (!ws) return "the workspace no longer exists";
  const plan = effectivePlan(ws);
  const need = CHANNEL_PLAN[type];
  if (PLAN_ORDER.indexOf(plan) >= PLAN_ORDER.indexOf(need.plan)) return null;
  return `not sent: ${need.feature.toLowerCase()} need the ${PLAN_TERMS[need.plan].name} plan or above and this workspace is on ${PLAN_TERMS[plan].name}`;
}
