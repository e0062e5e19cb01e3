import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/trpc";
import { currentMemberId } from "@/server/auth";
import { boot } from "@/server/boot";
import { PUBLIC_MAX_BODY_BYTES, withCappedBody } from "@/server/http/capped-body";
import { PayloadTooLargeError } from "@/server/services/errors";

export const dynamic = "force-dynamic";

/**
 * Calls one request may batch. The dashboard's link splits its batches at the same size
 * (lib/trpc/client.tsx); more would let one request run hundreds of exports or Stripe reads.
 */
const MAX_BATCH_SIZE = 50;

// GET|POST /api/trpc/* – the dashboard's data (sign-up is public: the body is capped before anything reads it).
async function handler(req: Request) {
  let capped: Request;
  try {
    capped = await withCappedBody(req, PUBLIC_MAX_BODY_BYTES);
  } catch (err) {
    if (!(err instanceof PayloadTooLargeError)) throw err;
    // The shape of a tRPC error, so the client reports it as one.
    return Response.json(
      { error: { message: err.message, code: -32013, data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413 } } },
      { status: 413 },
    );
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: capped,
    router: appRouter,
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: () => createTRPCContext(async () => ({ db: await boot(), memberId: await currentMemberId() })),
  });
}

export { handler as GET, handler as POST };
