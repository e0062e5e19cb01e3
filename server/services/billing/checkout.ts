import { eq } from "drizzle-orm";
import { z } from "zod";
import { members, memberships, workspaces } from "@/db/schema";
import { env } from "@/server/env";
import type { ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";
import { getWorkspace } from "../workspaces/workspaces";
import { setupCatalogue } from "./catalogue";
import { TRIAL_DAYS } from "./plans";
import { getStripe } from "./stripe-client";

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

/** Checkout in subscription mode: the plan's base price and its metered overage, 14-day trial. */
export async function createCheckoutSession({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZCheckout> }) {
  const { plan, returnUrl } = ZCheckout.parse(input);
  const ws = await getWorkspace({ ctx });
  if (ws.stripeSubscriptionId && ws.subscriptionStatus !== "canceled") {
    throw new InvalidInputError("This workspace already has a subscription: change plans in the customer portal");
  }
  const stripe = getStripe();
  const { prices } = await setupCatalogue(stripe);
  const customer = await ensureCustomer(ctx);
  const base = appUrl(returnUrl);
  const session = await stripe.checkout.sessions.create({
    mode: "subscription",
    customer,
    client_reference_id: ctx.workspaceId,
    line_items: [{ price: prices[plan].base, quantity: 1 }, { price: prices[plan].overage }],
    subscription_data: { trial_period_days: TRIAL_DAYS, metadata: { workspaceId: ctx.workspaceId, plan } },
    metadata: { workspaceId: ctx.workspaceId, plan },
    success_url: `${base}/w/${ctx.workspaceId}/billing?checkout=success`,
    cancel_url: `${base}/w/${ctx.workspaceId}/billing?checkout=cancelled`,
  });
  return { url: session.url, id: session.id };
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
