import { sdkDoor } from "@/server/http/doors";
import { sdkCheck } from "@/server/http/api-v1/ops/sdk";

export const dynamic = "force-dynamic";

// POST /sdk/check – before the LLM call: may this end user make it? (a decision is always 200)
export const POST = sdkDoor(sdkCheck);
