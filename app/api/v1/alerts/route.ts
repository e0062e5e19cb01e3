import { apiDoor } from "@/server/http/doors";
import { createAlertOp, listAlertsOp } from "@/server/http/api-v1/ops/alerts";

export const dynamic = "force-dynamic";

// GET /api/v1/alerts – threshold alerts
export const GET = apiDoor(listAlertsOp);
// POST /api/v1/alerts – alert at percentages of a rule's limit (ruleId + percentages) or at absolute values (scope, metric, window, values)
export const POST = apiDoor(createAlertOp);
