import { apiDoor } from "@/server/http/doors";
import { listLogsOp } from "@/server/http/api-v1/ops/events";

export const dynamic = "force-dynamic";

// GET /api/v1/logs – stored request/response payloads, newest first (only written with payload logging on)
export const GET = apiDoor(listLogsOp);
