import { apiDoor } from "@/server/http/doors";
import { createPolicyOp, listPoliciesOp } from "@/server/http/api-v1/ops/labels";

export const dynamic = "force-dynamic";

// GET /api/v1/label-policies – label policies: when an end user gets a label N times within a window, block, throttle, require re-auth or alert
export const GET = apiDoor(listPoliciesOp);
// POST /api/v1/label-policies – create a label policy
export const POST = apiDoor(createPolicyOp);
