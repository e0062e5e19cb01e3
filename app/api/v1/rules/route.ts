import { toHandler } from "@/server/http/api-v1/handler";
import { createRuleOp, listRulesOp } from "@/server/http/api-v1/ops/guardrails";

export const dynamic = "force-dynamic";

// GET /api/v1/rules – every rule of the workspace
export const GET = toHandler(listRulesOp);
// POST /api/v1/rules – create a limit: scope, metric, window, limit and action
export const POST = toHandler(createRuleOp);
