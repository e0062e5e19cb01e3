import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { type SegmentFilter, labelPolicies, rules, segments } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import type { ServiceCtx } from "../context";
import { ConflictError, InvalidInputError, NotFoundError } from "../errors";
import { changeConfig } from "../core/change-config";
import { refreshSegmentMembersIn } from "./refresh-members";
import { segmentMembersSql } from "./segment-sql";
import { resultRows } from "@/db/client";

const ZDays = z.number().int().min(1).max(3660);
const ZUsd = z.number().min(0).max(1e9);
const ZValue = z.string().trim().min(1).max(256);

/** Who belongs: every field given must hold. Strict, so a typo is a 400 naming it, not a wider segment. */
export const ZSegmentFilter = z
  .strictObject({
    tier: ZValue.optional(),
    orgId: ZValue.optional(),
    feature: ZValue.optional(),
    labels: z.array(ZValue).min(1).max(20).optional(),
    labelWithinDays: ZDays.optional(),
    minCostUsd: ZUsd.optional(),
    maxCostUsd: ZUsd.optional(),
    costWithinDays: ZDays.optional(),
    activeWithinDays: ZDays.optional(),
    firstSeenAfter: z.iso.datetime({ offset: true }).optional(),
    firstSeenBefore: z.iso.datetime({ offset: true }).optional(),
    blocked: z.boolean().optional(),
  })
  .superRefine((f, c) => {
    if (f.minCostUsd !== undefined && f.maxCostUsd !== undefined && f.minCostUsd > f.maxCostUsd)
      c.addIssue({ code: "custom", path: ["maxCostUsd"], message: "maxCostUsd must be at least minCostUsd" });
    if (f.firstSeenAfter && f.firstSeenBefore && new Date(f.firstSeenAfter) >= new Date(f.firstSeenBefore))
      c.addIssue({ code: "custom", path: ["firstSeenBefore"], message: "firstSeenBefore must be after firstSeenAfter" });
    if (f.labelWithinDays !== undefined && !f.labels)
      c.addIssue({ code: "custom", path: ["labelWithinDays"], message: "labelWithinDays needs labels" });
    if (f.costWithinDays !== undefined && f.minCostUsd === undefined && f.maxCostUsd === undefined && f.feature === undefined)
      c.addIssue({ code: "custom", path: ["costWithinDays"], message: "costWithinDays needs minCostUsd, maxCostUsd or feature" });
  });

export const ZCreateSegment = z.strictObject({
  name: z.string().trim().min(1).max(100),
  filter: ZSegmentFilter,
});
export const ZUpdateSegment = z.strictObject({
  name: ZCreateSegment.shape.name.optional(),
  filter: ZSegmentFilter.optional(),
});
export const ZSegmentId = z.object({ id: z.string().min(1).max(64) });

type Row = typeof segments.$inferSelect;
export const toSegment = (r: Row) => ({
  id: r.id,
  name: r.name,
  filter: r.filter,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});
export type TSegment = ReturnType<typeof toSegment>;

/** Drop undefined fields so the stored filter says only what was asked. */
function cleanFilter(filter: z.output<typeof ZSegmentFilter>): SegmentFilter {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as SegmentFilter;
}

export async function listSegments({ ctx }: { ctx: ServiceCtx }) {
  const rows = await ctx.db.select().from(segments).where(eq(segments.workspaceId, ctx.workspaceId)).orderBy(asc(segments.name));
  return rows.map(toSegment);
}

export async function getSegment({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  const [row] = await ctx.db
    .select()
    .from(segments)
    .where(and(eq(segments.id, id), eq(segments.workspaceId, ctx.workspaceId)));
  if (!row) throw new NotFoundError(`Segment ${id} not found`);
  return toSegment(row);
}

const uniqueName = (e: unknown, name: string) => {
  if (e instanceof Error && /segments_workspace_id_name_idx|duplicate key/.test(`${e.message} ${String((e as { cause?: unknown }).cause)}`))
    throw new ConflictError(`A segment named "${name}" exists already`);
  throw e;
};

export async function createSegment({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZCreateSegment> }) {
  const parsed = ZCreateSegment.parse(input);
  const data = { name: parsed.name, filter: cleanFilter(parsed.filter) };
  const audit = (s: TSegment) => ({ action: "segment.create", targetType: "segment", targetId: s.id, data });
  return changeConfig(ctx, audit, async (tx) => {
    const [taken] = await tx
      .select({ id: segments.id })
      .from(segments)
      .where(and(eq(segments.workspaceId, ctx.workspaceId), eq(segments.name, data.name)));
    if (taken) throw new ConflictError(`A segment named "${data.name}" exists already`);
    const [row] = await tx
      .insert(segments)
      .values({ id: newId("seg"), workspaceId: ctx.workspaceId, ...data })
      .returning();
    return toSegment(row!);
  }).catch((e) => uniqueName(e, data.name));
}

/** A new filter re-computes the members that rules and policies act on in the same transaction. */
export async function updateSegment({ ctx, id, input }: { ctx: ServiceCtx; id: string; input: z.input<typeof ZUpdateSegment> }) {
  const parsed = ZUpdateSegment.parse(input);
  const patch = { ...(parsed.name !== undefined && { name: parsed.name }), ...(parsed.filter && { filter: cleanFilter(parsed.filter) }) };
  if (Object.keys(patch).length === 0) throw new InvalidInputError("Nothing to change: give name or filter");
  const audit = { action: "segment.update", targetType: "segment", targetId: id, data: patch };
  return changeConfig(ctx, audit, async (tx) => {
    const [row] = await tx
      .update(segments)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(segments.id, id), eq(segments.workspaceId, ctx.workspaceId)))
      .returning();
    if (!row) throw new NotFoundError(`Segment ${id} not found`);
    if (patch.filter) await refreshSegmentMembersIn(tx, ctx.workspaceId, new Date(), [id]);
    return toSegment(row);
  }).catch((e) => uniqueName(e, patch.name ?? ""));
}

/** Refused while a rule or label policy targets it: deleting it would silently widen them to everyone. */
export async function deleteSegment({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  const audit = (row: Row) => ({ action: "segment.delete", targetType: "segment", targetId: id, data: { name: row.name } });
  await changeConfig(ctx, audit, async (tx) => {
    const [row] = await tx
      .select()
      .from(segments)
      .where(and(eq(segments.id, id), eq(segments.workspaceId, ctx.workspaceId)));
    if (!row) throw new NotFoundError(`Segment ${id} not found`);
    const [rule] = await tx
      .select({ id: rules.id })
      .from(rules)
      .where(and(eq(rules.workspaceId, ctx.workspaceId), sql`${rules.filters}->>'segment' = ${id}`))
      .limit(1);
    if (rule) throw new ConflictError(`Segment ${id} is targeted by rule ${rule.id}; change or delete the rule first`);
    const [policy] = await tx
      .select({ id: labelPolicies.id })
      .from(labelPolicies)
      .where(and(eq(labelPolicies.workspaceId, ctx.workspaceId), sql`${labelPolicies.filters}->>'segment' = ${id}`))
      .limit(1);
    if (policy) throw new ConflictError(`Segment ${id} is targeted by label policy ${policy.id}; change or delete the policy first`);
    await tx.delete(segments).where(eq(segments.id, id));
    return row;
  });
  return { id, deleted: true };
}

/** How many end users a filter matches right now: the form's live preview before saving. */
export async function countSegmentMembers({ ctx, filter }: { ctx: ServiceCtx; filter: z.input<typeof ZSegmentFilter> }) {
  const members = segmentMembersSql(ctx.workspaceId, cleanFilter(ZSegmentFilter.parse(filter)), new Date());
  const [row] = resultRows<{ n: number }>(await ctx.db.execute(sql`select count(*)::int as n from (${members}) m`));
  return { endUsers: Number(row?.n ?? 0) };
}
