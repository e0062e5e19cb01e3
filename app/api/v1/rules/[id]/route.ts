import { apiDoor } from "@/server/http/doors";
import { deleteRuleOp, getRuleOp, updateRuleOp } from "@/server/http/api-v1/ops/guardrails";

export const dynamic = "force-dynamic";

// GET /api/v1/rules/{id} – one rule
export const GET = apiDoor(getRuleOp);
// PATCH /api/v1/rules/{id} – change some fields of a rule (enable/disable with `enabled`)
export const PATCH = apiDoor(updateRuleOp);
// DELETE /api/v1/rules/{id} – delete a rule
export const DELETE = apiDoor(deleteRuleOp);
