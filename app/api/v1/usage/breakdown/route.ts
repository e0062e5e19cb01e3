import { apiDoor } from "@/server/http/doors";
import { getUsageBreakdown } from "@/server/http/api-v1/ops/breakdown";

export const dynamic = "force-dynamic";

// GET /api/v1/usage/breakdown – usage grouped by any combination of user, org, feature, model and tier, by cost, paginated
export const GET = apiDoor(getUsageBreakdown);
