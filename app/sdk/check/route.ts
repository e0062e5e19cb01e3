import { toHandler } from "@/server/http/api-v1/handler";
import { sdkCheck } from "@/server/http/api-v1/ops/sdk";

export const dynamic = "force-dynamic";

// POST /sdk/check – before the LLM call: may this end user make it? (a decision is always 200)
export const POST = toHandler(sdkCheck);
