import { sdkDoor } from "@/server/http/doors";
import { sdkRecord } from "@/server/http/api-v1/ops/sdk";

export const dynamic = "force-dynamic";

// POST /sdk/record – after the LLM call: its usage, as the provider returned it (idempotent on requestId / Idempotency-Key)
export const POST = sdkDoor(sdkRecord);
