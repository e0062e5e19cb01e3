import { apiDoor } from "@/server/http/doors";
import { testChannelOp } from "@/server/http/api-v1/ops/alerts";

export const dynamic = "force-dynamic";

// POST /api/v1/alert-channels/{id}/test – send a test message through a channel; answers the delivery with the receiver's response
export const POST = apiDoor(testChannelOp);
