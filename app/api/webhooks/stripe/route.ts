import { boot } from "@/server/boot";
import { toHttpError } from "@/server/http/errors";
import { handleStripeWebhook } from "@/server/services/billing/webhooks";

export const dynamic = "force-dynamic";

// POST /api/webhooks/stripe – verify the signature, then hand the event to the billing service.
export async function POST(req: Request) {
  try {
    const result = await handleStripeWebhook(await boot(), await req.text(), req.headers.get("stripe-signature"));
    return Response.json(result);
  } catch (err) {
    return toHttpError(err);
  }
}
