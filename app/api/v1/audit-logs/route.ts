import { apiDoor } from "@/server/http/doors";
import { listAuditLogsOp } from "@/server/http/api-v1/ops/audit-logs";

export const dynamic = "force-dynamic";

// GET /api/v1/audit-logs – every change made in the workspace, newest first, with filters and cursor pages
export const GET = apiDoor(listAuditLogsOp);
