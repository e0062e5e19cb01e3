import { serve } from "inngest/next";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/functions";
import { env, inngestDevRefusal } from "@/server/env";
import { errorResponse } from "@/server/http/errors";
import { log } from "@/server/lib/log";

export const dynamic = "force-dynamic";

const handlers = serve({ client: inngest, functions });

/**
 * Inngest's dev mode skips the signature check: in production without the explicit opt-in
 * (TOKENIST_ALLOW_INNGEST_DEV=1) nothing is served here, whatever start-up did.
 */
function guarded(handler: typeof handlers.GET): typeof handlers.GET {
  return async (req, ctx) => {
    let refusal: string | null;
    try {
      refusal = inngestDevRefusal(env());
    } catch (err) {
      refusal = (err as Error).message;
    }
    if (refusal) {
      log.error("refusing /api/inngest", { reason: refusal });
      return errorResponse(503, "internal_error", "The Inngest endpoint is disabled by this server's configuration.");
    }
    return handler(req, ctx);
  };
}

// GET|POST|PUT /api/inngest – Inngest calls our functions here (signature-verified with INNGEST_SIGNING_KEY).
export const GET = guarded(handlers.GET);
export const POST = guarded(handlers.POST);
export const PUT = guarded(handlers.PUT);
