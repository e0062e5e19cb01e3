import { csvDownload, searchParams } from "../csv-response";

export const dynamic = "force-dynamic";

// GET /api/export/breakdown?workspaceId=&by=user,feature&from=&to=&segment= – a usage breakdown as CSV (session).
export function GET(req: Request) {
  const { workspaceId = "", by = "", ...q } = searchParams(req);
  return csvDownload("breakdown", (caller) =>
    caller.breakdown.exportCsv({ workspaceId, by: by.split(","), ...q } as Parameters<typeof caller.breakdown.exportCsv>[0]),
  );
}
