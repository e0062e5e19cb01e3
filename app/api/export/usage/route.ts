import { csvDownload, searchParams } from "../csv-response";

export const dynamic = "force-dynamic";

// GET /api/export/usage?workspaceId=&from=&to=&interval=&dimension=&key= – usage as CSV (session).
export function GET(req: Request) {
  const { workspaceId = "", ...q } = searchParams(req);
  return csvDownload("usage", (caller) => caller.usage.exportCsv({ workspaceId, ...q } as Parameters<typeof caller.usage.exportCsv>[0]));
}
