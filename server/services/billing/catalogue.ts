import Stripe from "stripe";
import { env } from "@/server/env";
import { PLAN_TERMS } from "./plans";

export type PaidPlan = "starter" | "growth";
export const LOOKUP_KEYS = {
  starter: { base: "tokenist_starter_monthly", overage: "tokenist_starter_overage" },
  growth: { base: "tokenist_growth_monthly", overage: "tokenist_growth_overage" },
} as const;

export interface Catalogue {
  meterId: string;
  prices: Record<PaidPlan, { base: string; overage: string }>;
}

async function ensureProduct(stripe: Stripe, plan: PaidPlan): Promise<string> {
  const existing = await stripe.products.search({ query: `metadata['tokenist_plan']:'${plan}'` });
  if (existing.data[0]) return existing.data[0].id;
  const product = await stripe.products.create(
    { name: `Tokenist ${PLAN_TERMS[plan].name}`, metadata: { tokenist_plan: plan } },
    { idempotencyKey: `tokenist-product-${plan}` },
  );
  return product.id;
}

async function ensureMeter(stripe: Stripe): Promise<string> {
  const eventName = env().STRIPE_METER_EVENT;
  const meters = await stripe.billing.meters.list({ status: "active", limit: 100 });
  const found = meters.data.find((m) => m.event_name === eventName);
  if (found) return found.id;
  const meter = await stripe.billing.meters.create(
    {
      display_name: "Tokenist tracked requests",
      event_name: eventName,
      default_aggregation: { formula: "sum" },
      customer_mapping: { type: "by_id", event_payload_key: "stripe_customer_id" },
      value_settings: { event_payload_key: "value" },
    },
    { idempotencyKey: `tokenist-meter-${eventName}` },
  );
  return meter.id;
}

/**
 * `npm run stripe:setup`: products, monthly base prices, the Billing Meter for tracked
 * requests, and graduated metered prices whose first tier is the included volume at $0.
 * Idempotent by lookup keys (and idempotency keys on every create); price ids given in
 * STRIPE_PRICE_* variables are used as they are.
 */
export async function setupCatalogue(stripe: Stripe): Promise<Catalogue> {
  const config = env();
  const given: Record<PaidPlan, { base?: string; overage?: string }> = {
    starter: { base: config.STRIPE_PRICE_STARTER, overage: config.STRIPE_PRICE_STARTER_OVERAGE },
    growth: { base: config.STRIPE_PRICE_GROWTH, overage: config.STRIPE_PRICE_GROWTH_OVERAGE },
  };
  const meterId = await ensureMeter(stripe);
  const keys = Object.values(LOOKUP_KEYS).flatMap((k) => [k.base, k.overage]);
  const found = await stripe.prices.list({ lookup_keys: keys, limit: 100, active: true });
  const byKey = new Map(found.data.map((p) => [p.lookup_key, p.id]));
  const prices = {} as Catalogue["prices"];
  for (const plan of ["starter", "growth"] as const) {
    const terms = PLAN_TERMS[plan];
    let product: string | null = null;
    const productId = async () => (product ??= await ensureProduct(stripe, plan));
    const base =
      given[plan].base ??
      byKey.get(LOOKUP_KEYS[plan].base) ??
      (
        await stripe.prices.create(
          {
            product: await productId(),
            currency: "usd",
            unit_amount: terms.priceCents!,
            recurring: { interval: "month" },
            lookup_key: LOOKUP_KEYS[plan].base,
            nickname: `${terms.name} monthly`,
          },
          { idempotencyKey: `tokenist-price-${LOOKUP_KEYS[plan].base}` },
        )
      ).id;
    const overage =
      given[plan].overage ??
      byKey.get(LOOKUP_KEYS[plan].overage) ??
      (
        await stripe.prices.create(
          {
            product: await productId(),
            currency: "usd",
            recurring: { interval: "month", usage_type: "metered", meter: meterId },
            billing_scheme: "tiered",
            tiers_mode: "graduated",
            // $0.50 / 1,000 = 0.05 cents a request (starter); $0.30 / 1,000 = 0.03 (growth).
            tiers: [
              { up_to: terms.included!, unit_amount: 0 },
              { up_to: "inf", unit_amount_decimal: Stripe.Decimal.from(String(terms.overageCentsPer1000! / 1000)) },
            ],
            lookup_key: LOOKUP_KEYS[plan].overage,
            nickname: `${terms.name} overage`,
          },
          { idempotencyKey: `tokenist-price-${LOOKUP_KEYS[plan].overage}` },
        )
      ).id;
    prices[plan] = { base, overage };
  }
  return { meterId, prices };
}

/** Which plan a Stripe price belongs to (by lookup key, or the configured ids). */
export function planOfPrice(price: { id: string; lookup_key?: string | null }): PaidPlan | null {
  const config = env();
  for (const plan of ["starter", "growth"] as const) {
    const keys: string[] = [LOOKUP_KEYS[plan].base, LOOKUP_KEYS[plan].overage];
    const ids =
      plan === "starter"
        ? [config.STRIPE_PRICE_STARTER, config.STRIPE_PRICE_STARTER_OVERAGE]
        : [config.STRIPE_PRICE_GROWTH, config.STRIPE_PRICE_GROWTH_OVERAGE];
    if ((price.lookup_key && keys.includes(price.lookup_key)) || ids.includes(price.id)) return plan;
  }
  return null;
}
