import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { workspaces } from "@/db/schema";
import { createCheckoutSession } from "@/server/services/billing/checkout";
import { forgetInvoices, getBillingOverview } from "@/server/services/billing/manage-billing";
import { handleStripeWebhook } from "@/server/services/billing/webhooks";
import { POST as stripeWebhookRoute } from "@/app/api/webhooks/stripe/route";
import { TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";
import { useStripeStandIn } from "../helpers/stripe-standin";

const SECRET = "whsec_doors_billing";
const DAY = 86_400_000;
const STARTER = ["tokenist_starter_monthly", "tokenist_starter_overage"];

describe.each(TEST_DRIVERS)("billing doors against the Stripe stand-in on %s", (driver) => {
  const suite = useStripeStandIn(driver, SECRET, forgetInvoices);

  const sessions = () => suite.stripeApi.requests.filter((r) => r.method === "POST" && r.path === "/v1/checkout/sessions");
  let events = 0;
  async function deliver(type: string, object: Record<string, unknown>) {
    const payload = JSON.stringify({ id: `evt_${driver}_${++events}`, object: "event", type, created: events, data: { object } });
    return handleStripeWebhook(suite.database.db, payload, Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }));
  }

  it("M6: one trial per workspace, needing no card: checkout → trialing → canceled → checkout again carries no trial", async () => {
    const { ctx } = await createTestWorkspace(suite.database.db);
    const ws = ctx.workspaceId;
    await createCheckoutSession({ ctx, input: { plan: "starter" } });
    const first = sessions().at(-1)!.params;
    expect(first.subscription_data).toMatchObject({
      trial_period_days: "14",
      trial_settings: { end_behavior: { missing_payment_method: "cancel" } },
    });
    expect(first.payment_method_collection).toBe("if_required"); // F29: no card to start the trial
    const [claimed] = await suite.database.db
      .select({ trialUsedAt: workspaces.trialUsedAt, customer: workspaces.stripeCustomerId })
      .from(workspaces)
      .where(eq(workspaces.id, ws));
    expect(claimed!.trialUsedAt).toBeInstanceOf(Date);

    const sub = `sub_${randomBytes(6).toString("hex")}`;
    const base = { id: sub, customer: claimed!.customer!, metadata: { workspaceId: ws }, priceLookupKeys: STARTER };
    suite.stripeApi.putSubscription({ ...base, status: "trialing", trialEnd: Math.floor((Date.now() + 14 * DAY) / 1000) });
    await deliver("checkout.session.completed", {
      object: "checkout.session",
      id: "cs_x",
      client_reference_id: ws,
      customer: base.customer,
      subscription: sub,
    });
    suite.stripeApi.putSubscription({ ...base, status: "canceled", trialEnd: Math.floor(Date.now() / 1000) });
    await deliver("customer.subscription.deleted", { object: "subscription", id: sub, customer: base.customer });
    const [after] = await suite.database.db.select().from(workspaces).where(eq(workspaces.id, ws));
    expect([after!.plan, after!.subscriptionStatus]).toEqual(["free", "canceled"]);
    expect(after!.droppedToFreeAt).toBeInstanceOf(Date); // L6: retention's grace week starts now

    await createCheckoutSession({ ctx, input: { plan: "starter" } });
    const second = sessions().at(-1)!.params;
    expect(second.subscription_data).toEqual({ metadata: { workspaceId: ws, plan: "starter" } }); // no trial_period_days, no trial settings
    expect(second.payment_method_collection).toBeUndefined(); // a card, as for any paid start
  });

  it("M6: a trialing subscription seen by webhook uses up the trial even without our checkout; two checkouts at once share one trial", async () => {
    const { ctx } = await createTestWorkspace(suite.database.db);
    const customer = `cus_${randomBytes(6).toString("hex")}`;
    await suite.database.db.update(workspaces).set({ stripeCustomerId: customer }).where(eq(workspaces.id, ctx.workspaceId));
    const sub = `sub_${randomBytes(6).toString("hex")}`;
    suite.stripeApi.putSubscription({
      id: sub,
      customer,
      status: "trialing",
      metadata: { workspaceId: ctx.workspaceId },
      priceLookupKeys: STARTER,
      trialEnd: Math.floor((Date.now() + 14 * DAY) / 1000),
    });
    await deliver("customer.subscription.created", { object: "subscription", id: sub, customer });
    suite.stripeApi.putSubscription({
      id: sub,
      customer,
      status: "canceled",
      metadata: { workspaceId: ctx.workspaceId },
      priceLookupKeys: STARTER,
    });
    await deliver("customer.subscription.deleted", { object: "subscription", id: sub, customer });
    await createCheckoutSession({ ctx, input: { plan: "growth" } });
    expect(sessions().at(-1)!.params.subscription_data.trial_period_days).toBeUndefined();

    const fresh = await createTestWorkspace(suite.database.db);
    const before = sessions().length;
    await Promise.all([1, 2].map(() => createCheckoutSession({ ctx: fresh.ctx, input: { plan: "starter" } })));
    const both = sessions().slice(before);
    expect(both).toHaveLength(2);
    expect(both.filter((s) => s.params.subscription_data.trial_period_days === "14")).toHaveLength(1);
  });

  it("M11: two billing overviews within a minute make one Stripe invoices call", async () => {
    const { ctx } = await createTestWorkspace(suite.database.db);
    const customer = `cus_${randomBytes(6).toString("hex")}`;
    await suite.database.db.update(workspaces).set({ stripeCustomerId: customer }).where(eq(workspaces.id, ctx.workspaceId));
    const invoiceCalls = () => suite.stripeApi.requests.filter((r) => r.path === "/v1/invoices" && r.params.customer === customer).length;
    const [a, b] = await Promise.all([getBillingOverview({ ctx }), getBillingOverview({ ctx })]);
    await getBillingOverview({ ctx });
    expect(a.invoices).toEqual([]);
    expect(b.invoices).toEqual([]);
    expect(invoiceCalls()).toBe(1);
  });

  it("M11: the Stripe webhook route refuses a 2 MB body with 413 before reading it all", async () => {
    const big = JSON.stringify({ id: "evt_big", padding: "x".repeat(2 * 1024 * 1024) });
    const res = await stripeWebhookRoute(
      new Request("http://local/api/webhooks/stripe", { method: "POST", body: big, headers: { "stripe-signature": "t=1,v1=x" } }),
    );
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("payload_too_large");
    // Streamed without a Content-Length: cut off as it comes in.
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 40; i++) c.enqueue(new TextEncoder().encode("y".repeat(64 * 1024)));
        c.close();
      },
    });
    const streamed = await stripeWebhookRoute(
      new Request("http://local/api/webhooks/stripe", { method: "POST", body: stream, duplex: "half" } as RequestInit),
    );
    expect(streamed.status).toBe(413);
  });
});
