// npm run stripe:setup – create (idempotently) the products, prices and Billing Meter in
// the Stripe account of STRIPE_SECRET_KEY, and print the price ids.
import { setupCatalogue } from "../server/services/billing/catalogue";
import { getStripe } from "../server/services/billing/stripe-client";

async function main() {
  const catalogue = await setupCatalogue(getStripe());
  console.log(JSON.stringify(catalogue, null, 2));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
