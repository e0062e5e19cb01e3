import { apiDoor } from "@/server/http/doors";
import { getRuleShadowOp } from "@/server/http/api-v1/ops/rule-shadow";

export const dynamic = "force-dynamic";

// GET /api/v1/rules/{id}/shadow – what a shadow rule would have done (checks, would-deny, end users, top)
export const GET = apiDoor(getRuleShadowOp);
