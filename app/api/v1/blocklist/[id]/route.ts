import { withApiKey } from "@/server/http/with-api-key";
import { deleteBlock } from "@/server/services/guardrails/manage-blocklist";

export const dynamic = "force-dynamic";

// DELETE /api/v1/blocklist/{id} – unblock.
export const DELETE = withApiKey("write", ({ ctx, params }) => deleteBlock({ ctx, id: params.id! }));
