import { describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import Stripe from "stripe";
import { auditLogs, requestCounters, workspaces } from "@/db/schema";
import { setupCatalogue } from "@/server/services/billing/catalogue";
import { createCheckoutSession } from "@/server/services/billing/checkout";
import { reportUsageToStripe } from "@/server/services/billing/meter-reporting";
import { effectivePlan } from "@/server/services/billing/plans";
import { getStripe } from "@/server/services/billing/stripe-client";
import { handleStripeWebhook } from "@/server/services/billing/webhooks";
import { getWorkspaceState, forgetWorkspaceState } from "@/server/services/core/workspace-state";
import { TEST_DRIVERS } from "../helpers/db";
import { createTestWorkspace } from "../helpers/fixtures";
import { useStripeStandIn } from "../helpers/stripe-standin";

const SECRET = "whsec_test_secret";
const DAY = 86_400_000;

describe.each(TEST_DRIVERS)("Stripe billing against a local stand-in on %s", (driver) => {
  const suite = useStripeStandIn(driver, SECRET);

  const posts = (path: string) => suite.stripeApi.requests.filter((r) => r.method === "POST" && r.path === path);

  it("sets up the catalogue once: products, base prices, a meter and graduated metered prices", async () => {
    const first = await setupCatalogue(getStripe());
    const counts = ["/v1/products", "/v1/prices", "/v1/billing/meters"].map((p) => posts(p).length);
    expect(counts).toEqual([2, 4, 1]);
    const second = await setupCatalogue(getStripe());
    expect(second).toEqual(first);
    expect(["/v1/products", "/v1/prices", "/v1/billing/meters"].map((p) => posts(p).length)).toEqual(counts);
    const starterOverage = posts("/v1/prices").find((r) => r.params.lookup_key === "tokenist_starter_overage")!.params;
    expect(starterOverage).toMatchObject({
      billing_scheme: "tiered",
      tiers_mode: "graduated",
      recurring: { interval: "month", usage_type: "metered", meter: first.meterId },
      tiers: [
        { up_to: "150000", unit_amount: "0" },
        { up_to: "inf", unit_amount_decimal: "0.05" },
      ],
    });
    const growthBase = posts("/v1/prices").find((r) => r.params.lookup_key === "tokenist_growth_monthly")!.params;
    expect(growthBase).toMatchObject({ unit_amount: "19900", currency: "usd", recurring: { interval: "month" } });
  });

  it("starts checkout with the 14-day trial and both prices", async () => {
    const { ctx } = await createTestWorkspace(suite.database.db);
    const { url } = await createCheckoutSession({ ctx, input: { plan: "growth", returnUrl: "https://app.example.com" } });
    expect(url).toMatch(/^https:\/\/checkout\.stripe\.test\//);
    const sent = posts("/v1/checkout/sessions").at(-1)!.params;
    const catalogue = await setupCatalogue(getStripe());
    expect(sent).toMatchObject({
      mode: "subscription",
      client_reference_id: ctx.workspaceId,
      subscription_data: { trial_period_days: "14", metadata: { workspaceId: ctx.workspaceId } },
      line_items: [{ price: catalogue.prices.growth.base, quantity: "1" }, { price: catalogue.prices.growth.overage }],
    });
    // Who started it is in the audit log (the plan itself changes when Stripe's webhook says so).
    const audit = await suite.database.db
      .select({ action: auditLogs.action, actorId: auditLogs.actorId, data: auditLogs.data })
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, ctx.workspaceId), eq(auditLogs.action, "billing.checkout")));
    expect(audit).toEqual([
      { action: "billing.checkout", actorId: ctx.actor.id, data: { plan: "growth", trial: true, session: expect.any(String) } },
    ]);
  });

  async function signed(event: Record<string, unknown>, opts: { secret?: string; timestamp?: number } = {}) {
    const payload = JSON.stringify(event);
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? SECRET, timestamp: opts.timestamp });
    return handleStripeWebhook(suite.database.db, payload, header);
  }
  const stateOf = async (workspaceId: string) => {
    forgetWorkspaceState(workspaceId);
    return getWorkspaceState(suite.database.db, workspaceId);
  };

  it("moves a workspace through trial → active → past_due (grace) → canceled; replays and bad signatures change nothing", async () => {
    await setupCatalogue(getStripe());
    const { ctx } = await createTestWorkspace(suite.database.db);
    const ws = ctx.workspaceId;
    const base = {
      customer: "cus_flow",
      metadata: { workspaceId: ws },
      priceLookupKeys: ["tokenist_starter_monthly", "tokenist_starter_overage"],
    };
    suite.stripeApi.putSubscription({ id: "sub_flow", status: "trialing", trialEnd: Math.floor((Date.now() + 14 * DAY) / 1000), ...base });
    const completed = await signed({
      id: "evt_1",
      object: "event",
      type: "checkout.session.completed",
      created: 1,
      data: { object: { object: "checkout.session", id: "cs_1", client_reference_id: ws, customer: "cus_flow", subscription: "sub_flow" } },
    });
    expect(completed).toMatchObject({ duplicate: false, workspaceId: ws });
    let s = await stateOf(ws);
    expect([s.plan, s.subscriptionStatus, effectivePlan(s)]).toEqual(["starter", "trialing", "starter"]);
    const [row] = await suite.database.db.select().from(workspaces).where(eq(workspaces.id, ws));
    expect(row!.trialEndsAt!.getTime()).toBeGreaterThan(Date.now() + 13 * DAY);

    suite.stripeApi.putSubscription({ id: "sub_flow", status: "active", ...base });
    await signed({
      id: "evt_2",
      object: "event",
      type: "customer.subscription.updated",
      created: 2,
      data: { object: { object: "subscription", id: "sub_flow", customer: "cus_flow" } },
    });
    s = await stateOf(ws);
    expect([s.plan, s.subscriptionStatus, effectivePlan(s)]).toEqual(["starter", "active", "starter"]);

    // A stale "trialing" event arriving late: the subscription's own state (active) wins.
    await signed({
      id: "evt_1b",
      object: "event",
      type: "customer.subscription.created",
      created: 1,
      data: { object: { object: "subscription", id: "sub_flow", customer: "cus_flow", status: "trialing" } },
    });
    expect((await stateOf(ws)).subscriptionStatus).toBe("active");

    suite.stripeApi.putSubscription({ id: "sub_flow", status: "past_due", ...base });
    await signed({
      id: "evt_3",
      object: "event",
      type: "invoice.payment_failed",
      created: 3,
      data: { object: { object: "invoice", id: "in_1", customer: "cus_flow", subscription: "sub_flow" } },
    });
    s = await stateOf(ws);
    expect(s.subscriptionStatus).toBe("past_due");
    expect(s.graceUntil!.getTime()).toBeGreaterThan(Date.now() + 6.9 * DAY);
    expect(effectivePlan(s)).toBe("starter"); // within the 7-day grace
    expect(effectivePlan(s, new Date(Date.now() + 8 * DAY))).toBe("free"); // then free-plan limits

    const replay = await signed({
      id: "evt_3",
      object: "event",
      type: "invoice.payment_failed",
      created: 3,
      data: { object: { object: "invoice", id: "in_1", customer: "cus_flow", subscription: "sub_flow" } },
    });
    expect(replay).toMatchObject({ duplicate: true });

    suite.stripeApi.putSubscription({ id: "sub_flow", status: "canceled", ...base });
    const deleted = {
      id: "evt_4",
      object: "event",
      type: "customer.subscription.deleted",
      created: 4,
      data: { object: { object: "subscription", id: "sub_flow", customer: "cus_flow" } },
    };
    await expect(signed(deleted, { secret: "whsec_wrong" })).rejects.toMatchObject({ status: 400 });
    await expect(signed(deleted, { timestamp: Math.floor(Date.now() / 1000) - 3600 })).rejects.toMatchObject({ status: 400 });
    await expect(handleStripeWebhook(suite.database.db, JSON.stringify(deleted), null)).rejects.toMatchObject({ status: 400 });
    expect((await stateOf(ws)).subscriptionStatus).toBe("past_due"); // unchanged by the refused ones
    await signed(deleted);
    s = await stateOf(ws);
    expect([s.plan, s.subscriptionStatus, effectivePlan(s)]).toEqual(["free", "canceled", "free"]);
  });

  // One clock for the meter reports: only completed hours are reported, and the current hour of a
  // run at hh:59:59 would be completed by the time a report read the real clock (reported twice,
  // or in the next test's report).
  const meterNow = new Date();

  it("reports tracked requests to the meter with stable identifiers; a re-run never bills twice", async () => {
    const { ctx } = await createTestWorkspace(suite.database.db);
    await suite.database.db
      .update(workspaces)
      .set({ stripeCustomerId: "cus_meter", subscriptionStatus: "active", plan: "starter", createdAt: new Date(Date.now() - 10 * DAY) })
      .where(eq(workspaces.id, ctx.workspaceId));
    const h = (hoursAgo: number) => new Date(Math.floor(meterNow.getTime() / 3600_000) * 3600_000 - hoursAgo * 3600_000);
    await suite.database.db.insert(requestCounters).values([
      { workspaceId: ctx.workspaceId, hour: h(3), count: 1200 },
      { workspaceId: ctx.workspaceId, hour: h(2), count: 800 },
      { workspaceId: ctx.workspaceId, hour: h(0), count: 50 }, // the current hour: not final yet
    ]);
    const before = suite.stripeApi.store.meterEvents.size;
    const first = await reportUsageToStripe(suite.database.db, getStripe(), meterNow);
    expect(first).toMatchObject({ reported: 2, requests: 2000 });
    const mine = [...suite.stripeApi.store.meterEvents.values()].filter((e) => e.payload.stripe_customer_id === "cus_meter");
    expect(mine.map((e) => [e.identifier, e.payload.value, e.event_name])).toEqual([
      [`tokenist:${ctx.workspaceId}:${h(3).toISOString()}`, "1200", "tokenist_requests"],
      [`tokenist:${ctx.workspaceId}:${h(2).toISOString()}`, "800", "tokenist_requests"],
    ]);
    expect(await reportUsageToStripe(suite.database.db, getStripe(), meterNow)).toMatchObject({ reported: 0 });
    // Even if our record of it were lost, the identifiers are the same: Stripe keeps one.
    await suite.database.db.execute(sql`delete from meter_reports where workspace_id = ${ctx.workspaceId}`);
    const sentBefore = posts("/v1/billing/meter_events").length;
    await reportUsageToStripe(suite.database.db, getStripe(), meterNow);
    expect(posts("/v1/billing/meter_events").length).toBe(sentBefore + 2);
    expect(suite.stripeApi.store.meterEvents.size).toBe(before + 2);
  });

  it("L3: counts flushed into an hour after it was reported are billed as their difference, once", async () => {
    const { ctx } = await createTestWorkspace(suite.database.db);
    await suite.database.db
      .update(workspaces)
      .set({ stripeCustomerId: "cus_late", subscriptionStatus: "active", plan: "starter", createdAt: new Date(Date.now() - 10 * DAY) })
      .where(eq(workspaces.id, ctx.workspaceId));
    const hour = new Date(Math.floor(meterNow.getTime() / 3600_000) * 3600_000 - 2 * 3600_000);
    await suite.database.db.insert(requestCounters).values({ workspaceId: ctx.workspaceId, hour, count: 1000 });
    expect(await reportUsageToStripe(suite.database.db, getStripe(), meterNow)).toMatchObject({ reported: 1, requests: 1000 });
    // Another process's last second arrives after the report.
    await suite.database.db.execute(sql`update request_counters set count = count + 37 where workspace_id = ${ctx.workspaceId}`);
    expect(await reportUsageToStripe(suite.database.db, getStripe(), meterNow)).toMatchObject({ reported: 1, requests: 37 });
    expect(await reportUsageToStripe(suite.database.db, getStripe(), meterNow)).toMatchObject({ reported: 0, requests: 0 });
    const mine = [...suite.stripeApi.store.meterEvents.values()].filter((e) => e.payload.stripe_customer_id === "cus_late");
    expect(mine.map((e) => [e.identifier, e.payload.value])).toEqual([
      [`tokenist:${ctx.workspaceId}:${hour.toISOString()}`, "1000"],
      [`tokenist:${ctx.workspaceId}:${hour.toISOString()}:from:1000`, "37"],
    ]);
  });
});
