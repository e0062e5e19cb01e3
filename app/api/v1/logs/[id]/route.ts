import { toHandler } from "@/server/http/api-v1/handler";
import { getLogOp } from "@/server/http/api-v1/ops/events";

export const dynamic = "force-dynamic";

// GET /api/v1/logs/{id} – one stored payload
export const GET = toHandler(getLogOp);
