import { apiDoor } from "@/server/http/doors";
import { previewRuleOp } from "@/server/http/api-v1/ops/rule-shadow";

export const dynamic = "force-dynamic";

// POST /api/v1/rules/preview – replay the last 7 days with a rule enforced (an estimate; nothing saved)
export const POST = apiDoor(previewRuleOp);
