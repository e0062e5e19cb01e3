import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { memberships, workspaces } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { writeAudit } from "../audit/write-audit";
import { withTransaction, type Actor, type ServiceCtx } from "../context";
import { NotFoundError } from "../errors";
import { changeConfig } from "../core/change-config";
import { requirePlan } from "../core/plans";
import { getMemberRole } from "../core/member-role";
import { insertDefaultLabelPolicies } from "../intent/manage-label-policies";

export const ZWorkspaceName = z.string().trim().min(1, "Name is required").max(100);

/** Create a workspace on the free plan with `ownerId` as its owner and the default label policies, disabled (inside the caller's transaction). */
export async function insertWorkspace(tx: Queryable, input: { name: string; ownerId: string; actor: Actor }) {
  const [workspace] = await tx
    .insert(workspaces)
    .values({ id: newId("ws"), name: ZWorkspaceName.parse(input.name) })
    .returning();
  await tx.insert(memberships).values({ workspaceId: workspace!.id, memberId: input.ownerId, role: "owner" });
  await insertDefaultLabelPolicies(tx, workspace!.id);
  await writeAudit(tx, {
    workspaceId: workspace!.id,
    actor: input.actor,
    action: "workspace.create",
    targetType: "workspace",
    targetId: workspace!.id,
  });
  return workspace!;
}

export async function getWorkspace({ ctx }: { ctx: ServiceCtx }) {
  const [row] = await ctx.db.select().from(workspaces).where(eq(workspaces.id, ctx.workspaceId)).limit(1);
  if (!row) throw new NotFoundError("Workspace not found");
  return row;
}

export async function renameWorkspace({ ctx, input }: { ctx: ServiceCtx; input: { name: string } }) {
  const name = ZWorkspaceName.parse(input.name);
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx.update(workspaces).set({ name, updatedAt: new Date() }).where(eq(workspaces.id, ctx.workspaceId)).returning();
    if (!row) throw new NotFoundError("Workspace not found");
    await writeAudit(tx, {
      workspaceId: ctx.workspaceId,
      actor: ctx.actor,
      action: "workspace.rename",
      targetType: "workspace",
      targetId: ctx.workspaceId,
      data: { name },
    });
    return row;
  });
}

/** The workspaces a member belongs to, with their role, oldest first. */
export async function listMemberWorkspaces(db: Queryable, memberId: string) {
  return db
    .select({ id: workspaces.id, name: workspaces.name, plan: workspaces.plan, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.memberId, memberId))
    .orderBy(asc(memberships.createdAt));
}

export { getMemberRole };

// Strict: a misspelt setting is a 400 naming it, not a silent no-op.
export const ZWorkspaceSettings = z.strictObject({
  payloadLogging: z.boolean().optional(),
  redactPayloads: z.boolean().optional(),
  usagePolicy: z.string().max(20_000).nullable().optional(),
  /** Send text to the LLM labeller unredacted (off: e-mails, phone and card numbers, secrets are masked first). */
  llmLabelRawText: z.boolean().optional(),
  /** Days events and payloads are kept (Enterprise's custom retention); null: back to the plan's. */
  retentionDays: z.number().int().min(1).max(3650).nullable().optional(),
});

/**
 * Payload logging, redaction, usage policy, the LLM labeller's raw text, and retention (Enterprise:
 * its own number of days; the next daily retention run applies it). Bumps the config version so
 * every process sees it.
 */
export async function updateWorkspaceSettings({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZWorkspaceSettings> }) {
  const patch = ZWorkspaceSettings.parse(input);
  if (patch.retentionDays !== undefined) await requirePlan(ctx, "enterprise", "Custom retention");
  const audit = { action: "workspace.settings", targetType: "workspace", targetId: ctx.workspaceId, data: patch };
  return changeConfig(ctx, audit, async (tx) => {
    const [updated] = await tx
      .update(workspaces)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(workspaces.id, ctx.workspaceId))
      .returning();
    if (!updated) throw new NotFoundError("Workspace not found");
    return updated;
  });
}
