import { apiDoor } from "@/server/http/doors";
import { getLabelCounts } from "@/server/http/api-v1/ops/usage";

export const dynamic = "force-dynamic";

// GET /api/v1/usage/labels – how many events (and distinct end users) carry each intent label in a range
export const GET = apiDoor(getLabelCounts);
