import { apiDoor } from "@/server/http/doors";
import { getCohorts } from "@/server/http/api-v1/ops/cohorts";

export const dynamic = "force-dynamic";

// GET /api/v1/cohorts – end users by the week or month first seen, and their activity in each period since
export const GET = apiDoor(getCohorts);
