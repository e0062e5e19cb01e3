import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import { z } from "zod";
import { assertUnderCap } from "../workspace-caps";
import { blocklist, type BLOCK_SOURCES } from "@/db/schema";
import { ZIdent } from "@/server/contract/sdk";
import { newId } from "@/server/lib/ids";
import type { Queryable } from "@/db/client";
import type { Actor, ServiceCtx } from "../context";
import { InvalidInputError, NotFoundError } from "../errors";
import { changeConfig, configTransaction } from "../core/change-config";
import { EVENTS } from "@/server/events/catalogue";
import { publish } from "@/server/events/publish";

// Strict (as every management body): an unknown field is a 400 naming it.
export const ZCreateBlock = z
  .strictObject({
    // Cleaned as /sdk/check cleans them, so the entry matches the id as checked.
    userId: ZIdent.optional(),
    orgId: ZIdent.optional(),
    reason: z.string().trim().max(500).nullish(),
    expiresAt: z.iso.datetime({ offset: true }).nullish(),
  })
  .refine((v) => Boolean(v.userId) !== Boolean(v.orgId), { message: "Send exactly one of userId or orgId" });

type BlockRow = typeof blocklist.$inferSelect;

export function toBlock(b: BlockRow, now = new Date()) {
  return {
    id: b.id,
    userId: b.subjectType === "user" ? b.subjectId : null,
    orgId: b.subjectType === "org" ? b.subjectId : null,
    reason: b.reason,
    source: b.source,
    createdBy: b.createdBy,
    createdAt: b.createdAt.toISOString(),
    expiresAt: b.expiresAt ? b.expiresAt.toISOString() : null,
    active: !b.expiresAt || b.expiresAt > now,
  };
}

/** Active entries first; `includeExpired` shows the history too. */
export async function listBlocks({ ctx, includeExpired = false }: { ctx: ServiceCtx; includeExpired?: boolean }) {
  const now = new Date();
  const rows = await ctx.db
    .select()
    .from(blocklist)
    .where(
      and(
        eq(blocklist.workspaceId, ctx.workspaceId),
        includeExpired ? undefined : or(isNull(blocklist.expiresAt), gt(blocklist.expiresAt, now)),
      ),
    )
    .orderBy(desc(blocklist.createdAt))
    .limit(1000);
  return rows.map((r) => toBlock(r, now));
}

export async function createBlock({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZCreateBlock> }) {
  const data = ZCreateBlock.parse(input);
  const expiresAt = data.expiresAt ? new Date(data.expiresAt) : null;
  if (expiresAt && expiresAt <= new Date()) throw new InvalidInputError("expiresAt must be in the future");
  return configTransaction(ctx.db, async (tx) => {
    await assertUnderCap(tx, ctx.workspaceId, "blocks");
    return insertBlock(tx, ctx.workspaceId, ctx.actor, {
      subjectType: data.userId ? "user" : "org",
      subjectId: (data.userId ?? data.orgId)!,
      reason: data.reason ?? null,
      expiresAt,
      source: "manual",
    });
  });
}

/** Insert an entry inside a config transaction (manual, rule or automation source). */
export async function insertBlock(
  tx: Queryable,
  workspaceId: string,
  actor: Actor,
  entry: {
    subjectType: "user" | "org";
    subjectId: string;
    reason: string | null;
    expiresAt: Date | null;
    source: (typeof BLOCK_SOURCES)[number];
  },
) {
  const audit = (block: { id: string }) => ({
    action: "blocklist.create",
    targetType: "blocklist",
    targetId: block.id,
    data: { ...entry },
  });
  return changeConfig({ tx, workspaceId, actor }, audit, async () => {
    const [row] = await tx
      .insert(blocklist)
      .values({ id: newId("blk"), workspaceId, ...entry, createdBy: actor.id })
      .returning();
    await publish(tx, EVENTS.endUserBlocked, workspaceId, {
      ...blockChange(row!, actor),
      reason: row!.reason,
      at: row!.createdAt.toISOString(),
    });
    return toBlock(row!);
  });
}

/** What end_user.blocked and end_user.unblocked say about an entry. */
function blockChange(row: BlockRow, actor: Actor) {
  return {
    blocklistId: row.id,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    expiresAt: row.expiresAt ? row.expiresAt.toISOString() : null,
    source: row.source,
    actor: { type: actor.type, id: actor.id },
  };
}

/**
 * end_user.unblocked for a removed entry, in the removal's transaction; only when it was still
 * blocking (an entry past its expiry was reported by the expiry sweep, expire-blocks.ts).
 */
async function publishUnblocked(tx: Queryable, row: BlockRow, actor: Actor, now = new Date()) {
  if (row.expiresAt && row.expiresAt <= now) return;
  await publish(tx, EVENTS.endUserUnblocked, row.workspaceId, {
    ...blockChange(row, actor),
    reason: "removed",
    blockReason: row.reason,
    at: now.toISOString(),
  });
}

/** Unblock: the entry is removed (the audit log keeps the history). */
export async function deleteBlock({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  const audit = (row: BlockRow) => ({
    action: "blocklist.delete",
    targetType: "blocklist",
    targetId: id,
    data: { subject: `${row.subjectType}:${row.subjectId}` },
  });
  await changeConfig(ctx, audit, async (tx) => {
    const [row] = await tx
      .delete(blocklist)
      .where(and(eq(blocklist.id, id), eq(blocklist.workspaceId, ctx.workspaceId)))
      .returning();
    if (!row) throw new NotFoundError(`Blocklist entry ${id} not found`);
    await publishUnblocked(tx, row, ctx.actor);
    return row;
  });
  return { id, deleted: true };
}

/** Unblock an end user or org: every active entry for it. */
export async function unblockSubject({ ctx, subjectType, subjectId }: { ctx: ServiceCtx; subjectType: "user" | "org"; subjectId: string }) {
  const audit = (removed: number) => ({ action: "blocklist.unblock", targetType: subjectType, targetId: subjectId, data: { removed } });
  const removed = await changeConfig(ctx, audit, async (tx) => {
    const rows = await tx
      .delete(blocklist)
      .where(and(eq(blocklist.workspaceId, ctx.workspaceId), eq(blocklist.subjectType, subjectType), eq(blocklist.subjectId, subjectId)))
      .returning();
    for (const row of rows) await publishUnblocked(tx, row, ctx.actor);
    return rows.length;
  });
  return { removed };
}

export async function getBlock({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  const [row] = await ctx.db
    .select()
    .from(blocklist)
    .where(and(eq(blocklist.id, id), eq(blocklist.workspaceId, ctx.workspaceId)));
  if (!row) throw new NotFoundError(`Blocklist entry ${id} not found`);
  return toBlock(row);
}
