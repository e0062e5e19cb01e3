import { toHandler } from "@/server/http/api-v1/handler";
import { deleteAlertOp, getAlertOp, updateAlertOp } from "@/server/http/api-v1/ops/alerts";

export const dynamic = "force-dynamic";

// GET /api/v1/alerts/{id} – one alert
export const GET = toHandler(getAlertOp);
// PATCH /api/v1/alerts/{id} – rename, re-route or enable/disable an alert
export const PATCH = toHandler(updateAlertOp);
// DELETE /api/v1/alerts/{id} – delete an alert
export const DELETE = toHandler(deleteAlertOp);
