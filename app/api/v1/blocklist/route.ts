import { apiDoor } from "@/server/http/doors";
import { createBlockOp, listBlocklistOp } from "@/server/http/api-v1/ops/guardrails";

export const dynamic = "force-dynamic";

// GET /api/v1/blocklist – blocklist entries (active ones; includeExpired=true for the history)
export const GET = apiDoor(listBlocklistOp);
// POST /api/v1/blocklist – block an end user (userId) or an org (orgId), until expiresAt or until removed
export const POST = apiDoor(createBlockOp);
