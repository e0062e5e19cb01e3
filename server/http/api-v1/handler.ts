import { ROLES } from "@/db/schema";
import { requireKeyPermission } from "@/server/services/api-keys/key-role";
import { can, type Permission } from "@/server/services/core/permissions";
import { withApiKey, type ApiKeyPolicy } from "../with-api-key";
import type { AnyOperation } from "./define";

/**
 * Does a key need its member's role checked for this operation? Every live key answers to a member
 * who may manage keys (demoting them revokes their keys) or to the operator: when every such role
 * holds the permission, the key's scope is enough and no query is spent. The `admin` scope (members,
 * invitations, billing) always asks, as does a permission a key-minting role lacks (a developer's
 * `write` key may not change workspace settings).
 */
export function asksMemberRole(
  op: Pick<AnyOperation, "scope" | "permission">,
): op is { scope: AnyOperation["scope"]; permission: Permission } {
  if (op.permission === null) return false;
  if (op.scope === "admin") return true;
  const permission = op.permission;
  return ROLES.some((r) => can(r, "apiKeys.manage") && !can(r, permission));
}

/** What a door decides for its operations; the operation itself gives the scope and whether a body may be missing. */
export type DoorPolicy = Pick<ApiKeyPolicy, "rateLimit" | "idempotent">;

/** A Next.js route handler for one operation behind a door's policy: the zod schemas parse the query and the body. */
export function toHandler(op: AnyOperation, policy: DoorPolicy) {
  return withApiKey(
    async ({ ctx, body, params, req }) => {
      if (asksMemberRole(op)) await requireKeyPermission(ctx, op.permission);
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
