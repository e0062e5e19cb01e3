import { withApiKey } from "@/server/http/with-api-key";
import { deleteRule, getRule, updateRule } from "@/server/services/guardrails/manage-rules";

export const dynamic = "force-dynamic";

// GET /api/v1/rules/{id} – one rule.
export const GET = withApiKey("read", ({ ctx, params }) => getRule({ ctx, id: params.id! }));

// PATCH /api/v1/rules/{id} – change some fields of a rule.
export const PATCH = withApiKey("write", ({ ctx, params, body }) => updateRule({ ctx, id: params.id!, input: body as never }));

// DELETE /api/v1/rules/{id} – delete a rule.
export const DELETE = withApiKey("write", ({ ctx, params }) => deleteRule({ ctx, id: params.id! }));
