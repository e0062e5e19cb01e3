import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { stripeEvents, workspaces } from "@/db/schema";
import { env } from "@/server/env";
import { log } from "@/server/lib/log";
import { SYSTEM } from "../context";
import { InvalidInputError } from "../errors";
import { changeConfig, configTransaction } from "../core/change-config";
import { planOfPrice } from "./catalogue";
import { emailOwners } from "./notify-owners";
import { GRACE_DAYS } from "./plans";
import { getStripe } from "./stripe-client";

const toDate = (s: number | null | undefined) => (s ? new Date(s * 1000) : null);

/**
 * Verify a webhook (signature and age), then act on it once: the event id is recorded in
 * the same transaction as its effect. Subscription events are resolved by fetching the
 * subscription's current state from Stripe, so events arriving out of order cannot roll a
 * workspace back to an older state. A workspace whose plan the operator set (plan_source
 * 'operator', see operator-plan.ts) is left as it is: the event is recorded and audited only.
 */
export async function handleStripeWebhook(db: Db, rawBody: string, signature: string | null) {
  const secret = env().STRIPE_WEBHOOK_SECRET;
  if (!secret) throw new InvalidInputError("Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)");
  const stripe = getStripe();
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(rawBody, signature ?? "", secret);
  } catch (err) {
    throw new InvalidInputError(`Invalid Stripe signature: ${(err as Error).message}`);
  }
  const subscription = await subscriptionOf(stripe, event);
  return configTransaction(db, async (tx) => {
    const [fresh] = await tx.insert(stripeEvents).values({ id: event.id, type: event.type }).onConflictDoNothing().returning();
    if (!fresh) return { received: true, duplicate: true, type: event.type };
    const workspaceId = await workspaceOf(tx as unknown as Db, event, subscription);
    if (!workspaceId) {
      log.warn("stripe event for no known workspace", { id: event.id, type: event.type });
      return { received: true, duplicate: false, type: event.type, ignored: true };
    }
    // The plan the event left the workspace on, for the audit log (read once the write has run).
    let plan: string | null = null;
    // A plan the operator set (`npm run admin -- plan`, e.g. Enterprise on a sales deal) is not
    // Stripe's to change: the event is recorded and audited, and changes nothing.
    const [{ planSource } = { planSource: "self_serve" }] = await tx
      .select({ planSource: workspaces.planSource })
      .from(workspaces)
      .where(eq(workspaces.id, workspaceId));
    const operatorPlan = planSource === "operator";
    const audit = () => ({
      action: `billing.${event.type}`,
      targetType: "stripe_event",
      targetId: event.id,
      data:
        subscription || operatorPlan
          ? {
              ...(subscription && { plan, subscriptionStatus: subscription.status, subscriptionId: subscription.id }),
              ...(operatorPlan && { ignored: "plan set by operator" }),
            }
          : undefined,
    });
    await changeConfig({ tx, workspaceId, actor: SYSTEM }, audit, async () => {
      if (operatorPlan) return;
      if (subscription) plan = await applySubscription(tx as unknown as Db, workspaceId, subscription);
      if (event.type === "invoice.payment_failed" || subscription?.status === "past_due") {
        const [ws] = await tx.select({ graceUntil: workspaces.graceUntil }).from(workspaces).where(eq(workspaces.id, workspaceId));
        if (!ws?.graceUntil) {
          const graceUntil = new Date(Date.now() + GRACE_DAYS * 86_400_000);
          await tx.update(workspaces).set({ graceUntil }).where(eq(workspaces.id, workspaceId));
        }
      }
      if (event.type === "invoice.paid") await tx.update(workspaces).set({ graceUntil: null }).where(eq(workspaces.id, workspaceId));
    });
    if (operatorPlan) return { received: true, duplicate: false, type: event.type, workspaceId, ignored: true };
    if (event.type === "customer.subscription.trial_will_end") {
      await emailOwners(
        tx as unknown as Db,
        workspaceId,
        "[Tokenist] Your trial ends in 3 days",
        "Your Tokenist trial ends soon. Add a payment method in the customer portal to keep your plan.",
      ).catch((err) => log.warn("trial notice not sent", { err }));
    }
    return { received: true, duplicate: false, type: event.type, workspaceId };
  });
}

async function subscriptionOf(stripe: Stripe, event: Stripe.Event): Promise<Stripe.Subscription | null> {
  const obj = event.data.object as { object: string; id: string; subscription?: string | { id: string } | null };
  const id =
    obj.object === "subscription"
      ? obj.id
      : typeof obj.subscription === "string"
        ? obj.subscription
        : (obj.subscription?.id ??
          (obj as { parent?: { subscription_details?: { subscription?: string } } }).parent?.subscription_details?.subscription);
  if (!id) return null;
  return stripe.subscriptions.retrieve(id); // the subscription's own, current state
}

async function workspaceOf(db: Db, event: Stripe.Event, sub: Stripe.Subscription | null): Promise<string | null> {
  const obj = event.data.object as {
    client_reference_id?: string | null;
    metadata?: Record<string, string> | null;
    customer?: string | { id: string } | null;
  };
  const direct = obj.client_reference_id ?? obj.metadata?.workspaceId ?? sub?.metadata?.workspaceId;
  if (direct) {
    const [ws] = await db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, direct));
    if (ws) return ws.id;
  }
  const customer = typeof obj.customer === "string" ? obj.customer : obj.customer?.id;
  if (!customer) return null;
  const [ws] = await db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.stripeCustomerId, customer));
  return ws?.id ?? null;
}

/** Statuses whose paid plan applies (past_due within its grace: see effectivePlan). */
const PAYING = ["active", "trialing", "past_due"];
const wasPaying = sql`(${workspaces.plan} <> 'free' and (${workspaces.subscriptionStatus} in ('active', 'trialing')
  or (${workspaces.subscriptionStatus} = 'past_due' and ${workspaces.graceUntil} > now())))`;

/**
 * Make the workspace match the subscription: plan, status, trial and period ends. A trial seen
 * here uses up the workspace's one trial; the moment a paid plan ends is kept for retention's grace.
 */
async function applySubscription(db: Db, workspaceId: string, sub: Stripe.Subscription): Promise<string> {
  const plan = sub.items.data.map((i) => planOfPrice(i.price)).find(Boolean) ?? null;
  const live = ["trialing", "active", "past_due", "unpaid", "incomplete"].includes(sub.status);
  const periodEnd = sub.items.data[0]?.current_period_end ?? null;
  const newPlan = live && plan ? plan : "free";
  const paying = newPlan !== "free" && PAYING.includes(sub.status);
  const trialed = sub.status === "trialing" || Boolean(sub.trial_end);
  await db
    .update(workspaces)
    .set({
      plan: newPlan,
      // The first moment the paid plan stopped applying (SET reads the row as it was before).
      droppedToFreeAt: paying ? null : sql`coalesce(${workspaces.droppedToFreeAt}, case when ${wasPaying} then now() end)`,
      ...(trialed && { trialUsedAt: sql`coalesce(${workspaces.trialUsedAt}, now())` }),
      stripeCustomerId: typeof sub.customer === "string" ? sub.customer : sub.customer.id,
      stripeSubscriptionId: sub.id,
      subscriptionStatus: sub.status,
      trialEndsAt: toDate(sub.trial_end),
      currentPeriodEnd: toDate(periodEnd),
      ...(sub.status === "active" || sub.status === "trialing" ? { graceUntil: null } : {}),
      updatedAt: new Date(),
    })
    .where(eq(workspaces.id, workspaceId));
  return newPlan;
}
