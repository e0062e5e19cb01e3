import { apiDoor } from "@/server/http/doors";
import { getLabelsPerDay } from "@/server/http/api-v1/ops/labels";

export const dynamic = "force-dynamic";

// GET /api/v1/usage/labels/daily – events per intent label per UTC day, optionally for one end user
export const GET = apiDoor(getLabelsPerDay);
