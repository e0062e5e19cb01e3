import { apiDoor } from "@/server/http/doors";
import { blockEndUser } from "@/server/http/api-v1/ops/end-users";

export const dynamic = "force-dynamic";

// POST /api/v1/end-users/{userId}/block – block an end user, optionally until expiresAt
export const POST = apiDoor(blockEndUser);
