import { apiDoor } from "@/server/http/doors";
import { deleteBlockOp, getBlockOp } from "@/server/http/api-v1/ops/guardrails";

export const dynamic = "force-dynamic";

// GET /api/v1/blocklist/{id} – one blocklist entry
export const GET = apiDoor(getBlockOp);
// DELETE /api/v1/blocklist/{id} – unblock: remove the entry
export const DELETE = apiDoor(deleteBlockOp);
