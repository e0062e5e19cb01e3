import { toHandler } from "@/server/http/api-v1/handler";
import { deleteBlockOp, getBlockOp } from "@/server/http/api-v1/ops/guardrails";

export const dynamic = "force-dynamic";

// GET /api/v1/blocklist/{id} – one blocklist entry
export const GET = toHandler(getBlockOp);
// DELETE /api/v1/blocklist/{id} – unblock: remove the entry
export const DELETE = toHandler(deleteBlockOp);
