import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { apiKeys, API_KEY_SCOPES, workspaces } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { writeAudit } from "../audit/write-audit";
import { withTransaction, type ServiceCtx } from "../context";
import { NotFoundError } from "../errors";
import { clearApiKeyCache } from "./resolve-api-key";
import { generateApiKey, hashApiKey, keyStart } from "./key-material";

export const ZCreateApiKey = z.object({
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
  return ctx.db
    .select(publicColumns)
    .from(apiKeys)
    .where(eq(apiKeys.workspaceId, ctx.workspaceId))
    .orderBy(desc(apiKeys.createdAt));
}

/** Create a key. The plain key is in the answer once and never stored. */
export async function createApiKey({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZCreateApiKey> }) {
  const { name, scopes } = ZCreateApiKey.parse(input);
  const key = generateApiKey();
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({
        id: newId("key"),
        workspaceId: ctx.workspaceId,
        name,
        scopes,
        start: keyStart(key),
        hash: hashApiKey(key),
        createdBy: ctx.actor.type === "member" ? ctx.actor.id : null,
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
