import { sdkDoor } from "@/server/http/doors";
import { sdkLog } from "@/server/http/api-v1/ops/sdk";

export const dynamic = "force-dynamic";

// POST /sdk/log – the full request/response payload (stored only when the workspace opted in)
export const POST = sdkDoor(sdkLog);
