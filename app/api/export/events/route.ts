import { csvDownload, searchParams } from "../csv-response";

export const dynamic = "force-dynamic";

// GET /api/export/events?workspaceId=&userId=&feature=&model=&label=&from=&to= – events as CSV (session).
export function GET(req: Request) {
  const { workspaceId = "", ...q } = searchParams(req);
  return csvDownload("events", (caller) => caller.events.exportCsv({ workspaceId, ...q }));
}
