import { apiDoor } from "@/server/http/doors";
import { getBillingOp } from "@/server/http/api-v1/ops/admin";

export const dynamic = "force-dynamic";

// GET /api/v1/billing – plan, status, trial end, this month's requests, quota, projected overage (admin scope)
export const GET = apiDoor(getBillingOp);
