import { getActiveUsersOp } from "@/server/http/api-v1/ops/active-users";
import { apiDoor } from "@/server/http/doors";

export const dynamic = "force-dynamic";

// GET /api/v1/usage/active-users – active and new end users per day or week, and over the range
export const GET = apiDoor(getActiveUsersOp);
