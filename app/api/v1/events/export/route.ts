import { apiDoor } from "@/server/http/doors";
import { exportEventsOp } from "@/server/http/api-v1/ops/events";

export const dynamic = "force-dynamic";

// GET /api/v1/events/export – events as CSV for the same filters
export const GET = apiDoor(exportEventsOp);
