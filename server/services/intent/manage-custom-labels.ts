import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { BUILT_IN_LABELS, customLabels, labelPolicies } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import type { ServiceCtx } from "../context";
import { ConflictError, InvalidInputError, NotFoundError } from "../errors";
import { changeConfig } from "../core/change-config";

/** At most this many custom labels a workspace: each one lengthens every LLM prompt. */
export const MAX_CUSTOM_LABELS = 20;

export const ZLabelName = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_]{1,39}$/, "A label is 2-40 characters: lower-case letters, digits and _, starting with a letter");

// Strict: an unknown field is a 400 naming it.
export const ZCustomLabel = z.strictObject({
  name: ZLabelName.refine((n) => !(BUILT_IN_LABELS as readonly string[]).includes(n), "That is a built-in label"),
  /** What the label means, for the LLM; quoted phrases or "keywords: a, b" feed the built-in matcher. */
  description: z.string().trim().min(3).max(500),
});

type Row = typeof customLabels.$inferSelect;
const toCustomLabel = (r: Row) => ({
  id: r.id,
  name: r.name,
  description: r.description,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

export async function listCustomLabels({ ctx }: { ctx: ServiceCtx }) {
  const rows = await ctx.db
    .select()
    .from(customLabels)
    .where(eq(customLabels.workspaceId, ctx.workspaceId))
    .orderBy(asc(customLabels.name));
  return rows.map(toCustomLabel);
}

export async function createCustomLabel({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZCustomLabel> }) {
  const data = ZCustomLabel.parse(input);
  const audit = (created: { id: string }) => ({ action: "custom_label.create", targetType: "custom_label", targetId: created.id, data });
  const row = await changeConfig(ctx, audit, async (tx) => {
    const existing = await tx.select({ name: customLabels.name }).from(customLabels).where(eq(customLabels.workspaceId, ctx.workspaceId));
    if (existing.some((e) => e.name === data.name)) throw new ConflictError(`Label ${data.name} exists already`);
    if (existing.length >= MAX_CUSTOM_LABELS) throw new InvalidInputError(`A workspace has at most ${MAX_CUSTOM_LABELS} custom labels`);
    const [created] = await tx
      .insert(customLabels)
      .values({ id: newId("lbl"), workspaceId: ctx.workspaceId, ...data })
      .returning();
    return created!;
  });
  return toCustomLabel(row);
}

/** Only the description changes: a label's name is what events and policies already carry. */
export async function updateCustomLabel({ ctx, id, input }: { ctx: ServiceCtx; id: string; input: { description: string } }) {
  const { description } = ZCustomLabel.pick({ description: true }).parse(input);
  const audit = { action: "custom_label.update", targetType: "custom_label", targetId: id, data: { description } };
  const row = await changeConfig(ctx, audit, async (tx) => {
    const [updated] = await tx
      .update(customLabels)
      .set({ description, updatedAt: new Date() })
      .where(and(eq(customLabels.id, id), eq(customLabels.workspaceId, ctx.workspaceId)))
      .returning();
    if (!updated) throw new NotFoundError(`Custom label ${id} not found`);
    return updated;
  });
  return toCustomLabel(row);
}

/** Refused while a label policy uses it; labels already on events stay (history). */
export async function deleteCustomLabel({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  const audit = ({ name }: { name: string }) => ({
    action: "custom_label.delete",
    targetType: "custom_label",
    targetId: id,
    data: { name },
  });
  await changeConfig(ctx, audit, async (tx) => {
    const [row] = await tx
      .select()
      .from(customLabels)
      .where(and(eq(customLabels.id, id), eq(customLabels.workspaceId, ctx.workspaceId)));
    if (!row) throw new NotFoundError(`Custom label ${id} not found`);
    const [used] = await tx
      .select({ id: labelPolicies.id })
      .from(labelPolicies)
      .where(and(eq(labelPolicies.workspaceId, ctx.workspaceId), eq(labelPolicies.label, row.name)))
      .limit(1);
    if (used) throw new ConflictError(`Label ${row.name} is used by label policy ${used.id}; delete or change the policy first`);
    await tx.delete(customLabels).where(eq(customLabels.id, id));
    return row;
  });
  return { id, deleted: true };
}
