import { apiDoor } from "@/server/http/doors";
import { exportAuditLogsOp } from "@/server/http/api-v1/ops/audit-logs";

export const dynamic = "force-dynamic";

// GET /api/v1/audit-logs/export – the audit log as CSV for the same filters
export const GET = apiDoor(exportAuditLogsOp);
