import { apiDoor } from "@/server/http/doors";
import { deletePolicyOp, getPolicyOp, updatePolicyOp } from "@/server/http/api-v1/ops/labels";

export const dynamic = "force-dynamic";

// GET /api/v1/label-policies/{id} – one label policy
export const GET = apiDoor(getPolicyOp);
// PATCH /api/v1/label-policies/{id} – change a label policy (enable it with `enabled`)
export const PATCH = apiDoor(updatePolicyOp);
// DELETE /api/v1/label-policies/{id} – delete a label policy
export const DELETE = apiDoor(deletePolicyOp);
