import { eq } from "drizzle-orm";
import { z } from "zod";
import { PLANS, workspaces } from "@/db/schema";
import { writeAudit } from "../audit/write-audit";
import { withTransaction, type ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";
import { startOfMonth, startOfNextMonth } from "../metering/time";
import { getWorkspace } from "../workspaces/workspaces";
import { bumpConfigVersion, forgetWorkspaceState } from "../workspaces/workspace-state";
import { effectivePlan, freeCap, PLAN_TERMS } from "./plans";
import { billingEnabled, getStripe } from "./stripe-client";
import { monthlyRequests } from "./tracked-requests";

/** What the Billing page shows: plan, trial, usage against the included volume, projected overage. */
export async function getBillingOverview({ ctx, now = new Date() }: { ctx: ServiceCtx; now?: Date }) {
  const ws = await getWorkspace({ ctx });
  const plan = effectivePlan(ws, now);
  const terms = PLAN_TERMS[plan];
  const used = await monthlyRequests(ctx.db, ctx.workspaceId, now);
  const included = plan === "free" ? freeCap() : terms.included;
  const monthStart = startOfMonth(now).getTime();
  const monthEnd = startOfNextMonth(now).getTime();
  const elapsed = Math.max((now.getTime() - monthStart) / (monthEnd - monthStart), 1 / 720);
  const projected = Math.round(used / elapsed);
  const overage = (n: number) => (terms.overageCentsPer1000 && included ? Math.max(0, n - included) * terms.overageCentsPer1000 / 1000 / 100 : 0);
  let invoices: Array<{ id: string; number: string | null; status: string | null; totalUsd: number; created: string; url: string | null }> = [];
  if (billingEnabled() && ws.stripeCustomerId) {
    const list = await getStripe().invoices.list({ customer: ws.stripeCustomerId, limit: 12 }).catch(() => null);
    invoices = (list?.data ?? []).map((i) => ({ id: i.id!, number: i.number, status: i.status, totalUsd: i.total / 100, created: new Date(i.created * 1000).toISOString(), url: i.hosted_invoice_url ?? null }));
  }
  return {
    billingEnabled: billingEnabled(),
    plan: ws.plan,
    effectivePlan: plan,
    planName: terms.name,
    subscriptionStatus: ws.subscriptionStatus,
    trialEndsAt: ws.trialEndsAt?.toISOString() ?? null,
    trialDaysLeft: ws.trialEndsAt && ws.subscriptionStatus === "trialing" ? Math.max(0, Math.ceil((ws.trialEndsAt.getTime() - now.getTime()) / 86_400_000)) : null,
    graceUntil: ws.graceUntil?.toISOString() ?? null,
    currentPeriodEnd: ws.currentPeriodEnd?.toISOString() ?? null,
    usage: { requests: used, included, resetsAt: new Date(monthEnd).toISOString(), projectedRequests: projected },
    overageUsd: overage(used),
    projectedOverageUsd: overage(projected),
    hardCap: terms.hardCap,
    invoices,
  };
}

export const ZSetPlan = z.object({ plan: z.enum(PLANS), retentionDays: z.number().int().min(1).max(3650).nullish() });

/** Billing off (self-hosted): an owner sets the plan by hand. */
export async function setPlanByHand({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZSetPlan> }) {
  if (billingEnabled()) throw new InvalidInputError("Billing is on: plans change through Stripe checkout and the customer portal");
  const { plan, retentionDays } = ZSetPlan.parse(input);
  await withTransaction(ctx, async (tx) => {
    await tx.update(workspaces).set({ plan, retentionDays: retentionDays ?? null, subscriptionStatus: null, updatedAt: new Date() }).where(eq(workspaces.id, ctx.workspaceId));
    await bumpConfigVersion(tx, ctx.workspaceId);
    await writeAudit(tx, { workspaceId: ctx.workspaceId, actor: ctx.actor, action: "billing.set_plan", targetType: "workspace", targetId: ctx.workspaceId, data: { plan, retentionDays } });
  });
  forgetWorkspaceState(ctx.workspaceId);
  return getBillingOverview({ ctx });
}

