import { boot } from "@/server/boot";
import { PUBLIC_MAX_BODY_BYTES, readCappedBody } from "@/server/http/capped-body";
import { toHttpError } from "@/server/http/errors";
import { handleStripeWebhook } from "@/server/services/billing/webhooks";

export const dynamic = "force-dynamic";

// POST /api/webhooks/stripe – verify the signature, then hand the event to the billing service (body capped: anyone can post here).
export async function POST(req: Request) {
  try {
    const body = new TextDecoder().decode(await readCappedBody(req, PUBLIC_MAX_BODY_BYTES));
    const result = await handleStripeWebhook(await boot(), body, req.headers.get("stripe-signature"));
    return Response.json(result);
  } catch (err) {
    return toHttpError(err);
  }
}
