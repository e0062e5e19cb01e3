import { and, eq, isNull } from "drizzle-orm";
import type Stripe from "stripe";
import { z } from "zod";
import { members, memberships, workspaces } from "@/db/schema";
import { env } from "@/server/env";
import type { ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";
import { getWorkspace } from "../workspaces/workspaces";
import { setupCatalogue, type Catalogue } from "./catalogue";
import { TRIAL_DAYS } from "./plans";
import { getStripe } from "./stripe-client";
import { writeAudit } from "../audit/write-audit";

export const ZCheckout = z.object({
  plan: z.enum(["starter", "growth"]),
  returnUrl: z.url().optional(),
});

function appUrl(returnUrl?: string) {
  return returnUrl ?? env().TOKENIST_PUBLIC_URL ?? "http://localhost:3000";
}

/** The workspace's Stripe customer, created on first use (metadata links it back). */
async function ensureCustomer(ctx: ServiceCtx): Promise<string> {
  const ws = await getWorkspace({ ctx });
  if (ws.stripeCustomerId) return ws.stripeCustomerId;
  const [owner] = await ctx.db
    .select({ email: members.email })
    .from(memberships)
    .innerJoin(members, eq(members.id, memberships.memberId))
    .where(eq(memberships.workspaceId, ctx.workspaceId))
    .limit(1);
  const customer = await getStripe().customers.create(
    { name: ws.name, email: owner?.email, metadata: { workspaceId: ctx.workspaceId } },
    { idempotencyKey: `tokenist-customer-${ctx.workspaceId}` },
  );
  await ctx.db.update(workspaces).set({ stripeCustomerId: customer.id }).where(eq(workspaces.id, ctx.workspaceId));
  return customer.id;
}

/**
 * One trial per workspace: claimed here, atomically (two checkouts at once cannot both get
 * one), and also marked when a webhook shows a trialing subscription. Returns whether this
 * checkout may carry the trial.
 */
async function claimTrial(ctx: ServiceCtx, at: Date): Promise<boolean> {
  const [claimed] = await ctx.db
    .update(workspaces)
    .set({ trialUsedAt: at })
    .where(and(eq(workspaces.id, ctx.workspaceId), isNull(workspaces.trialUsedAt)))
    .returning({ id: workspaces.id });
  return Boolean(claimed);
}

/** The session was never created: the claimed trial was not given. */
async function releaseTrial(ctx: ServiceCtx, at: Date) {
  await ctx.db
    .update(workspaces)
    .set({ trialUsedAt: null })
    .where(and(eq(workspaces.id, ctx.workspaceId), eq(workspaces.trialUsedAt, at)));
}

/** Prices change only through `npm run stripe:setup`: look them up every few minutes, not per checkout. */
const CATALOGUE_TTL_MS = 10 * 60_000;
const catalogues = new WeakMap<Stripe, { at: number; value: Promise<Catalogue> }>(); // per client: tests swap Stripe

function cachedCatalogue(stripe: Stripe, now = Date.now()): Promise<Catalogue> {
  const cached = catalogues.get(stripe);
  if (cached && now - cached.at < CATALOGUE_TTL_MS) return cached.value;
  const value = setupCatalogue(stripe);
  catalogues.set(stripe, { at: now, value });
  value.catch(() => catalogues.delete(stripe)); // a failed lookup is not kept
  return value;
}

/**
 * Checkout in subscription mode: the plan's base price and its metered overage. The first
 * checkout of a workspace carries the 14-day trial, which needs no card (Stripe collects one
 * only when something is due; a trial that ends without one cancels); later ones do not.
 */
export async function createCheckoutSession({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZCheckout> }) {
  const { plan, returnUrl } = ZCheckout.parse(input);
  const ws = await getWorkspace({ ctx });
  if (ws.planSource === "operator") {
    // Stripe's events would not change an operator-set plan (webhooks.ts): no charge for nothing.
    throw new InvalidInputError("This workspace's plan was set by Tokenist under a sales agreement: contact sales to change it");
  }
  if (ws.stripeSubscriptionId && ws.subscriptionStatus !== "canceled") {
    throw new InvalidInputError("This workspace already has a subscription: change plans in the customer portal");
  }
  const stripe = getStripe();
  const { prices } = await cachedCatalogue(stripe);
  const customer = await ensureCustomer(ctx);
  const base = appUrl(returnUrl);
  const claimedAt = new Date();
  const trial = !ws.trialUsedAt && (await claimTrial(ctx, claimedAt));
  const metadata = { workspaceId: ctx.workspaceId, plan };
  try {
    const session = await stripe.checkout.sessions.create({
      mode: "subscription",
      customer,
      client_reference_id: ctx.workspaceId,
      line_items: [{ price: prices[plan].base, quantity: 1 }, { price: prices[plan].overage }],
      subscription_data: trial
        ? { trial_period_days: TRIAL_DAYS, trial_settings: { end_behavior: { missing_payment_method: "cancel" } }, metadata }
        : { metadata },
      ...(trial && { payment_method_collection: "if_required" as const }),
      metadata,
      success_url: `${base}/w/${ctx.workspaceId}/billing?checkout=success`,
      cancel_url: `${base}/w/${ctx.workspaceId}/billing?checkout=cancelled`,
    });
    // The plan changes only when Stripe's webhook says so (audited there); this says who started it.
    await writeAudit(ctx.db, {
      workspaceId: ctx.workspaceId,
      actor: ctx.actor,
      action: "billing.checkout",
      targetType: "workspace",
      targetId: ctx.workspaceId,
      data: { plan, trial, session: session.id },
    });
    return { url: session.url, id: session.id };
  } catch (err) {
    if (trial) await releaseTrial(ctx, claimedAt);
    throw err;
  }
}

/** The customer portal: plan changes, payment methods, cancellation, invoices. */
export async function createPortalSession({ ctx, input }: { ctx: ServiceCtx; input: { returnUrl?: string } }) {
  const customer = await ensureCustomer(ctx);
  const session = await getStripe().billingPortal.sessions.create({
    customer,
    return_url: `${appUrl(input.returnUrl)}/w/${ctx.workspaceId}/billing`,
  });
  return { url: session.url };
}
