import { apiDoor } from "@/server/http/doors";
import { exportUsageBreakdown } from "@/server/http/api-v1/ops/breakdown";

export const dynamic = "force-dynamic";

// GET /api/v1/usage/breakdown/export – the whole usage breakdown as CSV, one line per group
export const GET = apiDoor(exportUsageBreakdown);
