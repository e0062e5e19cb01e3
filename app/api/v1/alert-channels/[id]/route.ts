import { apiDoor } from "@/server/http/doors";
import { deleteChannelOp, getChannelOp, updateChannelOp } from "@/server/http/api-v1/ops/alerts";

export const dynamic = "force-dynamic";

// GET /api/v1/alert-channels/{id} – one channel
export const GET = apiDoor(getChannelOp);
// PATCH /api/v1/alert-channels/{id} – enable or disable a channel
export const PATCH = apiDoor(updateChannelOp);
// DELETE /api/v1/alert-channels/{id} – delete a channel
export const DELETE = apiDoor(deleteChannelOp);
