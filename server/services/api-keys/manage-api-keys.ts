import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { apiKeys, API_KEY_SCOPES, workspaces, type ApiKeyScope } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { writeAudit } from "../audit/write-audit";
import { withTransaction, type ServiceCtx } from "../context";
import { ForbiddenError, NotFoundError } from "../errors";
import { clearApiKeyCache } from "./resolve-api-key";
import { generateApiKey, hashApiKey, keyStart } from "./key-material";
import { assertUnderCap } from "../workspace-caps";
import { getMemberRole } from "../core/member-role";
import { can } from "../core/permissions";

// Strict: a misspelt `scopes` must not quietly make an sdk-only key.
export const ZCreateApiKey = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).default(["sdk"]),
});

const publicColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  start: apiKeys.start,
  scopes: apiKeys.scopes,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
};

export async function listApiKeys({ ctx }: { ctx: ServiceCtx }) {
  return ctx.db.select(publicColumns).from(apiKeys).where(eq(apiKeys.workspaceId, ctx.workspaceId)).orderBy(desc(apiKeys.createdAt));
}

/**
 * Who a new key answers to: the member creating it, or, when a key creates it, the member behind
 * that key, so removing or demoting a member revokes every key minted on their authority. A key
 * may only hand out scopes it holds itself (a `write` key cannot mint a `read` key), and only a
 * role with the `apiKeys.admin` permission (owner, admin; not a developer) may hand out `admin`.
 */
async function keyAuthority(tx: Queryable, ctx: ServiceCtx, scopes: ApiKeyScope[]): Promise<string | null> {
  if (ctx.actor.type === "member") {
    // The `admin` scope manages members and billing: only an owner or admin may hand it out.
    if (scopes.includes("admin") && !can(await getMemberRole(tx, ctx.actor.id, ctx.workspaceId), "apiKeys.admin")) {
      throw new ForbiddenError('Only an owner or admin can create a key with the "admin" scope');
    }
    return ctx.actor.id;
  }
  if (ctx.actor.type !== "api_key") return null;
  const [parent] = await tx
    .select({ scopes: apiKeys.scopes, createdBy: apiKeys.createdBy })
    .from(apiKeys)
    .where(and(eq(apiKeys.id, ctx.actor.id), eq(apiKeys.workspaceId, ctx.workspaceId), isNull(apiKeys.revokedAt)));
  if (!parent) throw new ForbiddenError("This API key was revoked");
  const missing = scopes.filter((s) => !parent.scopes.includes(s));
  if (missing.length) {
    throw new ForbiddenError(
      `An API key can only create keys with scopes it has itself; this one lacks ${missing.map((s) => `"${s}"`).join(", ")}`,
    );
  }
  return parent.createdBy;
}

/** Create a key. The plain key is in the answer once and never stored. */
export async function createApiKey({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZCreateApiKey> }) {
  const { name, scopes } = ZCreateApiKey.parse(input);
  const key = generateApiKey();
  return withTransaction(ctx, async (tx) => {
    await assertUnderCap(tx, ctx.workspaceId, "apiKeys");
    const createdBy = await keyAuthority(tx, ctx, scopes);
    const [row] = await tx
      .insert(apiKeys)
      .values({
        id: newId("key"),
        workspaceId: ctx.workspaceId,
        name,
        scopes,
        start: keyStart(key),
        hash: hashApiKey(key),
        createdBy,
      })
      .returning(publicColumns);
    await writeAudit(tx, {
      workspaceId: ctx.workspaceId,
      actor: ctx.actor,
      action: "api_key.create",
      targetType: "api_key",
      targetId: row!.id,
      data: { name, scopes },
    });
    return { ...row!, key };
  });
}

export async function revokeApiKey({ ctx, input }: { ctx: ServiceCtx; input: { id: string } }) {
  const row = await withTransaction(ctx, async (tx) => {
    const [revoked] = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, input.id), eq(apiKeys.workspaceId, ctx.workspaceId), isNull(apiKeys.revokedAt)))
      .returning(publicColumns);
    if (!revoked) throw new NotFoundError(`API key ${input.id} not found or already revoked`);
    await tx
      .update(workspaces)
      .set({ configVersion: sql`${workspaces.configVersion} + 1` })
      .where(eq(workspaces.id, ctx.workspaceId));
    await writeAudit(tx, {
      workspaceId: ctx.workspaceId,
      actor: ctx.actor,
      action: "api_key.revoke",
      targetType: "api_key",
      targetId: input.id,
    });
    return revoked;
  });
  clearApiKeyCache();
  return row;
}

/**
 * In the caller's transaction: revoke every live key created on `memberId`'s authority (a member
 * removed, or demoted to a role that may not manage keys), one audit row each. The caller runs `clearApiKeyCache` after
 * commit; other processes drop their caches on the config version bumped here.
 */
export async function revokeKeysOfMember(
  tx: Queryable,
  ctx: ServiceCtx,
  memberId: string,
  reason: string,
  only?: { scope: ApiKeyScope },
): Promise<string[]> {
  const revoked = await tx
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(apiKeys.workspaceId, ctx.workspaceId),
        eq(apiKeys.createdBy, memberId),
        isNull(apiKeys.revokedAt),
        only ? sql`${only.scope} = any(${apiKeys.scopes})` : undefined,
      ),
    )
    .returning({ id: apiKeys.id, name: apiKeys.name });
  if (!revoked.length) return [];
  await tx
    .update(workspaces)
    .set({ configVersion: sql`${workspaces.configVersion} + 1` })
    .where(eq(workspaces.id, ctx.workspaceId));
  for (const key of revoked) {
    await writeAudit(tx, {
      workspaceId: ctx.workspaceId,
      actor: ctx.actor,
      action: "api_key.revoke",
      targetType: "api_key",
      targetId: key.id,
      data: { name: key.name, reason, memberId },
    });
  }
  return revoked.map((k) => k.id);
}

/** As revokeKeysOfMember, only the member's `admin`-scoped keys (a member demoted to a role without `apiKeys.admin`). */
export function revokeAdminKeysOfMember(tx: Queryable, ctx: ServiceCtx, memberId: string, reason: string): Promise<string[]> {
  return revokeKeysOfMember(tx, ctx, memberId, reason, { scope: "admin" });
}
