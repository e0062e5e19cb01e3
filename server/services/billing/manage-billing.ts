import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { PLANS, workspaces } from "@/db/schema";
import type { ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";
import { startOfMonth, startOfNextMonth } from "../core/time";
import { getWorkspace } from "../workspaces/workspaces";
import { changeConfig } from "../core/change-config";
import { effectivePlan, includedRequests, PLAN_TERMS } from "./plans";
import { billingEnabled, getStripe } from "./stripe-client";
import { monthlyRequests, quotaState } from "./tracked-requests";

type Invoice = { id: string; number: string | null; status: string | null; totalUsd: number; created: string; url: string | null };

/**
 * A Stripe customer's last invoices, kept a minute per customer (at most 1,000 customers, the
 * oldest dropped first): a viewer reloading or batching overviews must not spend the platform's
 * Stripe rate limit. Concurrent readers share the one request in flight.
 */
const INVOICE_TTL_MS = 60_000;
const INVOICE_CACHE_MAX = 1_000;
const invoiceCache = new Map<string, { at: number; value: Promise<Invoice[]> }>();

function recentInvoices(customer: string, now = Date.now()): Promise<Invoice[]> {
  const cached = invoiceCache.get(customer);
  if (cached && now - cached.at < INVOICE_TTL_MS) return cached.value;
  invoiceCache.delete(customer); // re-inserted last: Map order is the eviction order
  if (invoiceCache.size >= INVOICE_CACHE_MAX) invoiceCache.delete(invoiceCache.keys().next().value!);
  const entry = { at: now, value: Promise.resolve<Invoice[]>([]) };
  entry.value = getStripe()
    .invoices.list({ customer, limit: 12 })
    .then((list) =>
      list.data.map((i) => ({
        id: i.id!,
        number: i.number,
        status: i.status,
        totalUsd: i.total / 100,
        created: new Date(i.created * 1000).toISOString(),
        url: i.hosted_invoice_url ?? null,
      })),
    )
    .catch(() => {
      // Stripe unreachable: show none now, ask again next time.
      if (invoiceCache.get(customer) === entry) invoiceCache.delete(customer);
      return [];
    });
  invoiceCache.set(customer, entry);
  return entry.value;
}

/** Tests swap the Stripe stand-in between cases. */
export function forgetInvoices() {
  invoiceCache.clear();
}

/** What the Billing page shows: plan, trial, usage against the included volume, projected overage. */
export async function getBillingOverview({ ctx, now = new Date() }: { ctx: ServiceCtx; now?: Date }) {
  const ws = await getWorkspace({ ctx });
  const plan = effectivePlan(ws, now);
  const terms = PLAN_TERMS[plan];
  const used = await monthlyRequests(ctx.db, ctx.workspaceId, now);
  const included = includedRequests(plan, ws.includedRequests);
  const monthStart = startOfMonth(now).getTime();
  const monthEnd = startOfNextMonth(now).getTime();
  const elapsed = Math.max((now.getTime() - monthStart) / (monthEnd - monthStart), 1 / 720);
  const projected = Math.round(used / elapsed);
  const overage = (n: number) =>
    terms.overageCentsPer1000 && included ? (Math.max(0, n - included) * terms.overageCentsPer1000) / 1000 / 100 : 0;
  const invoices = billingEnabled() && ws.stripeCustomerId ? await recentInvoices(ws.stripeCustomerId) : [];
  return {
    billingEnabled: billingEnabled(),
    plan: ws.plan,
    effectivePlan: plan,
    /** "operator": set by Tokenist (a sales deal); Checkout is refused and Stripe's events leave it. */
    planSource: ws.planSource,
    planName: terms.name,
    subscriptionStatus: ws.subscriptionStatus,
    trialEndsAt: ws.trialEndsAt?.toISOString() ?? null,
    trialDaysLeft:
      ws.trialEndsAt && ws.subscriptionStatus === "trialing"
        ? Math.max(0, Math.ceil((ws.trialEndsAt.getTime() - now.getTime()) / 86_400_000))
        : null,
    graceUntil: ws.graceUntil?.toISOString() ?? null,
    currentPeriodEnd: ws.currentPeriodEnd?.toISOString() ?? null,
    usage: { requests: used, included, resetsAt: new Date(monthEnd).toISOString(), projectedRequests: projected },
    overageUsd: overage(used),
    projectedOverageUsd: overage(projected),
    hardCap: terms.hardCap,
    invoices,
  };
}

/**
 * Where the workspace stands against the Free plan's monthly cap, for the dashboard's banner on
 * every page: the same reading the SDK doors use (cached per process), so it costs no query most times.
 */
export async function getQuota({ ctx, now = new Date() }: { ctx: ServiceCtx; now?: Date }) {
  const { exceeded, resetsAt, used, limit } = await quotaState(ctx.db, ctx.workspaceId, now);
  return { exceeded, resetsAt, used, limit };
}

export const ZSetPlan = z.object({ plan: z.enum(PLANS), retentionDays: z.number().int().min(1).max(3650).nullish() });

/** Billing off (self-hosted): an owner sets the plan by hand. */
export async function setPlanByHand({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZSetPlan> }) {
  if (billingEnabled()) throw new InvalidInputError("Billing is on: plans change through Stripe checkout and the customer portal");
  const { plan, retentionDays } = ZSetPlan.parse(input);
  const audit = { action: "billing.set_plan", targetType: "workspace", targetId: ctx.workspaceId, data: { plan, retentionDays } };
  await changeConfig(ctx, audit, async (tx) => {
    await tx
      .update(workspaces)
      .set({
        plan,
        retentionDays: retentionDays ?? null,
        // An owner's hand-set plan replaces an operator's (billing off: the owner runs the server).
        planSource: "self_serve",
        includedRequests: null,
        subscriptionStatus: null,
        // Down to Free by hand gets the same grace week before retention shortens as a lapsed subscription.
        droppedToFreeAt:
          plan === "free" ? sql`case when ${workspaces.plan} <> 'free' then now() else ${workspaces.droppedToFreeAt} end` : null,
        updatedAt: new Date(),
      })
      .where(eq(workspaces.id, ctx.workspaceId));
  });
  return getBillingOverview({ ctx });
}
