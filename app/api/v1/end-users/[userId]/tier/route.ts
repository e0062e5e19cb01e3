import { apiDoor } from "@/server/http/doors";
import { setEndUserTierOp } from "@/server/http/api-v1/ops/end-users";

export const dynamic = "force-dynamic";

// PUT /api/v1/end-users/{userId}/tier – assign an end user a tier (or clear it with null)
export const PUT = apiDoor(setEndUserTierOp);
