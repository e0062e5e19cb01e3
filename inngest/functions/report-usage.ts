import { boot } from "@/server/boot";
import { reportUsageToStripe } from "@/server/services/billing/meter-reporting";
import { billingEnabled, getStripe } from "@/server/services/billing/stripe-client";
import { inngest } from "../client";

// Hourly: tracked requests of completed hours → the Stripe meter, with deterministic identifiers.
export const reportUsage = inngest.createFunction(
  { id: "report-usage", triggers: [{ cron: "TZ=UTC 5 * * * *" }] },
  async ({ step }) =>
    step.run("report-to-stripe", async () => (billingEnabled() ? reportUsageToStripe(await boot(), getStripe()) : { reported: 0, requests: 0, billing: "off" })),
);
