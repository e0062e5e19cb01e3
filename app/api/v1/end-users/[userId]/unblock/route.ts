import { apiDoor } from "@/server/http/doors";
import { unblockEndUser } from "@/server/http/api-v1/ops/end-users";

export const dynamic = "force-dynamic";

// POST /api/v1/end-users/{userId}/unblock – remove every blocklist entry of an end user
export const POST = apiDoor(unblockEndUser);
