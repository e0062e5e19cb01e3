import { apiDoor } from "@/server/http/doors";
import { exportUsage } from "@/server/http/api-v1/ops/usage";

export const dynamic = "force-dynamic";

// GET /api/v1/usage/export – usage as CSV, one line per time bucket and key
export const GET = apiDoor(exportUsage);
