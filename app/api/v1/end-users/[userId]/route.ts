import { apiDoor } from "@/server/http/doors";
import { getEndUserOp } from "@/server/http/api-v1/ops/end-users";

export const dynamic = "force-dynamic";

// GET /api/v1/end-users/{userId} – one end user: totals, the blocks that apply now, intent label counts
export const GET = apiDoor(getEndUserOp);
