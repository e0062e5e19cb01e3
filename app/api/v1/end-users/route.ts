import { apiDoor } from "@/server/http/doors";
import { listEndUsersOp } from "@/server/http/api-v1/ops/end-users";

export const dynamic = "force-dynamic";

// GET /api/v1/end-users – end users with all-time totals; search by userId or orgId, sort, cursor pages
export const GET = apiDoor(listEndUsersOp);
