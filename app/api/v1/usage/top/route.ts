import { apiDoor } from "@/server/http/doors";
import { getTopUsage } from "@/server/http/api-v1/ops/usage";

export const dynamic = "force-dynamic";

// GET /api/v1/usage/top – the top end users, orgs, features, models or tiers by cost, tokens or requests
export const GET = apiDoor(getTopUsage);
