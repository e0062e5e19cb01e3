import { apiDoor } from "@/server/http/doors";
import { getUsage } from "@/server/http/api-v1/ops/usage";

export const dynamic = "force-dynamic";

// GET /api/v1/usage – totals and a time series of requests, tokens and cost (exact nano-dollars), for the workspace or one dimension/key
export const GET = apiDoor(getUsage);
