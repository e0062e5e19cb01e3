import { apiDoor } from "@/server/http/doors";
import { createChannelOp, listChannelsOp } from "@/server/http/api-v1/ops/alerts";

export const dynamic = "force-dynamic";

// GET /api/v1/alert-channels – e-mail, Slack and webhook channels
export const GET = apiDoor(listChannelsOp);
// POST /api/v1/alert-channels – add a channel; a webhook's signing secret is in this answer only
export const POST = apiDoor(createChannelOp);
