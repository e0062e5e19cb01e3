import { csvDownload, searchParams } from "../csv-response";

export const dynamic = "force-dynamic";

// GET /api/export/audit-logs?workspaceId=&action=&actorType=&actorId=&targetType=&from=&to= – the audit log as CSV (session).
export function GET(req: Request) {
  const { workspaceId = "", ...q } = searchParams(req);
  return csvDownload("audit-log", (caller) =>
    caller.auditLogs.exportCsv({ workspaceId, ...q } as Parameters<typeof caller.auditLogs.exportCsv>[0]),
  );
}
