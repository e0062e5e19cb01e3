import { apiDoor } from "@/server/http/doors";
import { revokeKeyOp } from "@/server/http/api-v1/ops/keys";

export const dynamic = "force-dynamic";

// DELETE /api/v1/api-keys/{id} – revoke a key: it stops working in every process within a second
export const DELETE = apiDoor(revokeKeyOp);
