import { apiDoor } from "@/server/http/doors";
import { deleteAlertOp, getAlertOp, updateAlertOp } from "@/server/http/api-v1/ops/alerts";

export const dynamic = "force-dynamic";

// GET /api/v1/alerts/{id} – one alert
export const GET = apiDoor(getAlertOp);
// PATCH /api/v1/alerts/{id} – rename, re-route or enable/disable an alert
export const PATCH = apiDoor(updateAlertOp);
// DELETE /api/v1/alerts/{id} – delete an alert
export const DELETE = apiDoor(deleteAlertOp);
