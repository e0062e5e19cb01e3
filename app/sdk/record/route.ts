import { ZRecordInput } from "@/server/contract/sdk";
import { withApiKey } from "@/server/http/with-api-key";
import { recordEvent } from "@/server/services/metering/record-event";

export const dynamic = "force-dynamic";

// POST /sdk/record – count one LLM call's tokens and cost (idempotent on requestId / Idempotency-Key).
export const POST = withApiKey("sdk", ({ ctx, body, req }) =>
  recordEvent({ ctx, input: ZRecordInput.parse(body), idempotencyKey: req.headers.get("idempotency-key") }),
);
