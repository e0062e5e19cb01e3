import { ZCheckInput } from "@/server/contract/sdk";
import { withApiKey } from "@/server/http/with-api-key";
import { checkAccess } from "@/server/services/guardrails/check-access";

export const dynamic = "force-dynamic";

// POST /sdk/check – may this end user make this LLM call?
export const POST = withApiKey("sdk", ({ ctx, body }) => checkAccess({ ctx, input: ZCheckInput.parse(body) }));
