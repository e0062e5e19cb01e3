import { apiDoor } from "@/server/http/doors";
import { getLogOp } from "@/server/http/api-v1/ops/events";

export const dynamic = "force-dynamic";

// GET /api/v1/logs/{id} – one stored payload
export const GET = apiDoor(getLogOp);
