import { withApiKey } from "@/server/http/with-api-key";
import { createBlock, listBlocks } from "@/server/services/guardrails/manage-blocklist";

export const dynamic = "force-dynamic";

// GET /api/v1/blocklist – active entries (?includeExpired=true for the history).
export const GET = withApiKey("read", async ({ ctx, req }) => ({
  data: await listBlocks({ ctx, includeExpired: new URL(req.url).searchParams.get("includeExpired") === "true" }),
}));

// POST /api/v1/blocklist – block an end user or an org, optionally until expiresAt (201).
export const POST = withApiKey("write", ({ ctx, body }) => createBlock({ ctx, input: body as never }), { status: 201 });
