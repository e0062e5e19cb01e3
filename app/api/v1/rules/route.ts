import { apiDoor } from "@/server/http/doors";
import { createRuleOp, listRulesOp } from "@/server/http/api-v1/ops/guardrails";

export const dynamic = "force-dynamic";

// GET /api/v1/rules – every rule of the workspace
export const GET = apiDoor(listRulesOp);
// POST /api/v1/rules – create a limit: scope, metric, window, limit and action
export const POST = apiDoor(createRuleOp);
