import { apiDoor } from "@/server/http/doors";
import { getPolicyShadowOp } from "@/server/http/api-v1/ops/labels";

export const dynamic = "force-dynamic";

// GET /api/v1/label-policies/{id}/shadow – what a shadow label policy would have done
export const GET = apiDoor(getPolicyShadowOp);
