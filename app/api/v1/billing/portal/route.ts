import { apiDoor } from "@/server/http/doors";
import { createPortalOp } from "@/server/http/api-v1/ops/admin";

export const dynamic = "force-dynamic";

// POST /api/v1/billing/portal – a Stripe customer-portal link (admin scope, an owner's key)
export const POST = apiDoor(createPortalOp);
