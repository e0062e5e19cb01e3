import { withApiKey, type ApiKeyPolicy } from "../with-api-key";
import type { AnyOperation } from "./define";

/** What a door decides for its operations; the operation itself gives the scope and whether a body may be missing. */
export type DoorPolicy = Pick<ApiKeyPolicy, "rateLimit" | "idempotent">;

/** A Next.js route handler for one operation behind a door's policy: the zod schemas parse the query and the body. */
export function toHandler(op: AnyOperation, policy: DoorPolicy) {
  return withApiKey(
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
      scope: op.scope,
      bodyOptional: op.body ? op.body.safeParse(undefined).success : true,
      rateLimit: policy.rateLimit,
      // Only a POST acts twice when retried; PATCH and DELETE repeat to the same end.
      idempotent: policy.idempotent === true && op.method === "POST",
    },
  );
}
