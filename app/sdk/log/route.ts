import { ZLogInput } from "@/server/contract/sdk";
import { withApiKey } from "@/server/http/with-api-key";
import { logPayload } from "@/server/services/metering/log-payload";

export const dynamic = "force-dynamic";

// POST /sdk/log – keep the full request/response payload (only when the workspace opted in).
export const POST = withApiKey("sdk", ({ ctx, body }) => logPayload({ ctx, input: ZLogInput.parse(body) }));
