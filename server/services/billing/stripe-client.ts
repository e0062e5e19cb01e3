import Stripe from "stripe";
import { env } from "@/server/env";
import { ServiceError } from "../errors";

export class BillingOffError extends ServiceError {
  override readonly status = 404;
  override readonly code = "not_found";
}

let client: Stripe | null = null;

export function billingEnabled(): boolean {
  return Boolean(env().STRIPE_SECRET_KEY);
}

/** The Stripe client (server side only); STRIPE_API_URL points it at stripe-mock or a stand-in. */
export function getStripe(): Stripe {
  const { STRIPE_SECRET_KEY, STRIPE_API_URL } = env();
  if (!STRIPE_SECRET_KEY) throw new BillingOffError("Billing is off: STRIPE_SECRET_KEY is not set (plans are set by an owner)");
  if (!client) {
    const url = STRIPE_API_URL ? new URL(STRIPE_API_URL) : null;
    client = new Stripe(STRIPE_SECRET_KEY, {
      maxNetworkRetries: 2,
      ...(url && {
        host: url.hostname,
        port: Number(url.port || (url.protocol === "https:" ? 443 : 80)),
        protocol: url.protocol.replace(":", "") as "http" | "https",
      }),
    });
  }
  return client;
}

export function resetStripeClient() {
  client = null;
}
