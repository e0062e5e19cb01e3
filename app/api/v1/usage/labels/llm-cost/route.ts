import { getLlmLabellingCostOp } from "@/server/http/api-v1/ops/labels";
import { apiDoor } from "@/server/http/doors";

export const dynamic = "force-dynamic";

// GET /api/v1/usage/labels/llm-cost – what the LLM labeller cost: calls, tokens, nano-dollars per model
export const GET = apiDoor(getLlmLabellingCostOp);
