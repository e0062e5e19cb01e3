import { withApiKey } from "@/server/http/with-api-key";
import { createRule, listRules } from "@/server/services/guardrails/manage-rules";

export const dynamic = "force-dynamic";

// GET /api/v1/rules – every rule of the workspace.
export const GET = withApiKey("read", async ({ ctx }) => ({ data: await listRules({ ctx }) }));

// POST /api/v1/rules – create a rule (201).
export const POST = withApiKey("write", ({ ctx, body }) => createRule({ ctx, input: body as never }), { status: 201 });
