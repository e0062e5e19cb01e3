import { apiDoor } from "@/server/http/doors";
import { createCheckoutOp } from "@/server/http/api-v1/ops/admin";

export const dynamic = "force-dynamic";

// POST /api/v1/billing/checkout – a Stripe Checkout link for a plan (admin scope, an owner's key)
export const POST = apiDoor(createCheckoutOp);
