import { env } from "@/server/env";
import { withApiKey } from "../with-api-key";
import type { Operation } from "./define";

const MANAGEMENT_RATE_LIMIT = () => env().TOKENIST_API_RATE_LIMIT;

/** A Next.js route handler for one operation: the zod schemas parse the query and the body. */
export function toHandler(op: Operation) {
  const management = op.scope !== "sdk";
  return withApiKey(
    op.scope,
    async ({ ctx, body, params, req }) => {
      const query = op.query ? op.query.parse(Object.fromEntries(new URL(req.url).searchParams)) : {};
      const parsedBody = op.body ? op.body.parse(body) : undefined;
      const result = await op.handler({ ctx, params, query, body: parsedBody, req });
      if (op.csv) {
        return new Response(String(result), {
          headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${op.operationId}.csv"` },
        });
      }
      return Response.json(result, { status: op.status ?? 200 });
    },
    {
      bodyOptional: op.body ? op.body.safeParse(undefined).success : true,
      idempotent: management && op.method === "POST",
      rateLimit: management ? MANAGEMENT_RATE_LIMIT() : undefined,
    },
  );
}

