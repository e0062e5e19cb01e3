import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { assertUnderCap } from "../workspace-caps";
import type { Queryable } from "@/db/client";
import { BUILT_IN_LABELS, customLabels, labelPolicies, POLICY_ACTIONS, POLICY_STAGES, RULE_MODES, segments } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import type { ServiceCtx } from "../context";
import { InvalidInputError, NotFoundError } from "../errors";
import { changeConfig } from "../core/change-config";
import { ZLabelName } from "./manage-custom-labels";
import { refreshSegmentMembersIn } from "../segments/refresh-members";
import { requirePlan } from "../core/plans";

/** Auto-block on an intent label is a Growth automation (the plans): enabling one in enforce mode needs it. Shadow mode does not. */
async function requireBlockPlan(ctx: ServiceCtx, p: Pick<Row, "enabled" | "action"> & { mode?: Row["mode"] }) {
  if (p.enabled && p.action === "block" && (p.mode ?? "enforce") === "enforce")
    await requirePlan(ctx, "growth", "Auto-block on intent labels");
}

const MAX_SECONDS = 30 * 86_400;

const policyFields = {
  name: z.string().trim().min(1).max(100),
  label: ZLabelName.refine((l) => l !== "safe", "A policy cannot act on safe"),
  minCount: z.number().int().min(1).max(10_000),
  windowSeconds: z.number().int().min(60).max(MAX_SECONDS),
  action: z.enum(POLICY_ACTIONS),
  /**
   * record: labels of recorded calls count (after labelling); check: the check's own input label
   * counts at once; content: the check's reading of the call's tool results (see validate).
   */
  stage: z.enum(POLICY_STAGES),
  durationSeconds: z.number().int().min(60).max(MAX_SECONDS).nullable(),
  ratePerMinute: z.number().int().min(1).max(100_000).nullable(),
  enabled: z.boolean(),
  /** shadow: evaluated and its would-have firings recorded; nothing is blocked, throttled or sent. */
  mode: z.enum(RULE_MODES),
  /** Only end users in this segment are acted on (their labels still count for nothing else); null: everyone. */
  filters: z
    .strictObject({
      segment: z
        .string()
        .trim()
        .regex(/^seg_[\w-]{1,60}$/, "segment must be a segment id (seg_…)"),
    })
    .nullable(),
};

// Strict: an unknown field is a 400 naming it, never silently dropped.
export const ZCreateLabelPolicy = z.strictObject({
  ...policyFields,
  stage: policyFields.stage.default("record"),
  durationSeconds: policyFields.durationSeconds.default(null),
  ratePerMinute: policyFields.ratePerMinute.default(null),
  enabled: policyFields.enabled.default(true),
  mode: policyFields.mode.default("enforce"),
  filters: policyFields.filters.default(null),
});
export const ZUpdateLabelPolicy = z.strictObject(policyFields).partial();

type Row = typeof labelPolicies.$inferSelect;
type TPolicyFields = Pick<
  Row,
  "name" | "label" | "minCount" | "windowSeconds" | "action" | "stage" | "durationSeconds" | "ratePerMinute" | "enabled"
> & { filters?: { segment?: string } | null; mode?: Row["mode"] };

/**
 * Shipped with every new workspace (and added to existing ones by the 0004 migration), all
 * disabled: an admin turns on what fits. Also offered as templates.
 */
export const DEFAULT_LABEL_POLICIES: TPolicyFields[] = [
  {
    name: "Block jailbreakers",
    label: "jailbreak",
    minCount: 3,
    windowSeconds: 3600,
    action: "block",
    stage: "record",
    durationSeconds: 3600,
    ratePerMinute: null,
    enabled: false,
  },
  {
    name: "Re-authenticate after a jailbreak",
    label: "jailbreak",
    minCount: 1,
    windowSeconds: 3600,
    action: "require_reauth",
    stage: "record",
    durationSeconds: 900,
    ratePerMinute: null,
    enabled: false,
  },
  {
    name: "Throttle policy breakers",
    label: "tos_breach",
    minCount: 3,
    windowSeconds: 86_400,
    action: "throttle",
    stage: "record",
    durationSeconds: 3600,
    ratePerMinute: 5,
    enabled: false,
  },
  {
    name: "Alert on frustrated users",
    label: "frustration",
    minCount: 3,
    windowSeconds: 3600,
    action: "alert",
    stage: "record",
    durationSeconds: null,
    ratePerMinute: null,
    enabled: false,
  },
];

export const toLabelPolicy = (r: Row) => ({
  id: r.id,
  name: r.name,
  label: r.label,
  minCount: r.minCount,
  windowSeconds: r.windowSeconds,
  action: r.action,
  stage: r.stage,
  durationSeconds: r.durationSeconds,
  ratePerMinute: r.ratePerMinute,
  enabled: r.enabled,
  mode: r.mode,
  filters: r.filters ?? null,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/** The defaults, disabled, for a new workspace (inside its creating transaction). */
export async function insertDefaultLabelPolicies(tx: Queryable, workspaceId: string) {
  const now = Date.now();
  // Ids are time-ordered: one millisecond apart, they list in this order.
  await tx.insert(labelPolicies).values(DEFAULT_LABEL_POLICIES.map((p, i) => ({ id: newId("pol", now + i), workspaceId, ...p })));
}

/**
 * Action-specific fields: a duration for block/throttle/re-auth, a rate for throttle. A content
 * policy reads the built-in classifier's verdict on a call's tool results, which knows jailbreak
 * only, and acts on that one call: label jailbreak, minCount 1, block or alert, no duration.
 */
async function validate(tx: Queryable, workspaceId: string, p: TPolicyFields) {
  if (p.stage === "content") {
    if (p.label !== "jailbreak")
      throw new InvalidInputError(
        `label: stage content reads tool results and retrieved content for prompt injections, so its label is jailbreak (got ${p.label})`,
      );
    if (p.action !== "block" && p.action !== "alert")
      throw new InvalidInputError(
        `action: stage content refuses the call (block) or reports it (alert); it never acts on the end user, so not ${p.action}`,
      );
    if (p.minCount !== 1) throw new InvalidInputError("minCount: stage content acts on each call whose content carries the label: use 1");
    if (p.durationSeconds !== null)
      throw new InvalidInputError("durationSeconds: stage content refuses one call at a time and blocks nobody: leave it out (null)");
    if (p.ratePerMinute !== null) throw new InvalidInputError("ratePerMinute: only for action throttle");
    return validateFilters(tx, workspaceId, p);
  }
  if (p.action !== "alert" && p.durationSeconds === null) throw new InvalidInputError(`durationSeconds is required for action ${p.action}`);
  if (p.action === "throttle" && p.ratePerMinute === null) throw new InvalidInputError("ratePerMinute is required for action throttle");
  await validateFilters(tx, workspaceId, p);
  if ((BUILT_IN_LABELS as readonly string[]).includes(p.label)) return;
  const [custom] = await tx
    .select({ id: customLabels.id })
    .from(customLabels)
    .where(and(eq(customLabels.workspaceId, workspaceId), eq(customLabels.name, p.label)));
  if (!custom) throw new InvalidInputError(`Unknown label ${p.label}: use a built-in label or add a custom label first`);
}

async function validateFilters(tx: Queryable, workspaceId: string, p: TPolicyFields) {
  if (!p.filters?.segment) return;
  const [segment] = await tx
    .select({ id: segments.id })
    .from(segments)
    .where(and(eq(segments.workspaceId, workspaceId), eq(segments.id, p.filters.segment)));
  if (!segment) throw new InvalidInputError(`filters.segment: ${p.filters.segment} is not a segment of this workspace`);
}

export async function listLabelPolicies({ ctx }: { ctx: ServiceCtx }) {
  const rows = await ctx.db
    .select()
    .from(labelPolicies)
    .where(eq(labelPolicies.workspaceId, ctx.workspaceId))
    .orderBy(asc(labelPolicies.createdAt), asc(labelPolicies.id));
  return rows.map(toLabelPolicy);
}

export async function createLabelPolicy({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZCreateLabelPolicy> }) {
  const data = ZCreateLabelPolicy.parse(input);
  await requireBlockPlan(ctx, data);
  const audit = (created: { id: string }) => ({ action: "label_policy.create", targetType: "label_policy", targetId: created.id, data });
  const row = await changeConfig(ctx, audit, async (tx) => {
    await assertUnderCap(tx, ctx.workspaceId, "labelPolicies");
    await validate(tx, ctx.workspaceId, data);
    const [created] = await tx
      .insert(labelPolicies)
      .values({ id: newId("pol"), workspaceId: ctx.workspaceId, ...data })
      .returning();
    if (created!.enabled && created!.filters?.segment)
      await refreshSegmentMembersIn(tx, ctx.workspaceId, new Date(), [created!.filters.segment]);
    return created!;
  });
  return toLabelPolicy(row);
}

export async function updateLabelPolicy({ ctx, id, input }: { ctx: ServiceCtx; id: string; input: z.input<typeof ZUpdateLabelPolicy> }) {
  const patch = ZUpdateLabelPolicy.parse(input);
  // The plan gate reads through the pool (the workspace cache), so before the transaction: on
  // PGlite's one connection a read beside an open transaction would wait for it forever.
  if (patch.enabled !== undefined || patch.action !== undefined || patch.mode !== undefined) {
    const [current] = await ctx.db
      .select()
      .from(labelPolicies)
      .where(and(eq(labelPolicies.id, id), eq(labelPolicies.workspaceId, ctx.workspaceId)));
    if (current) await requireBlockPlan(ctx, { ...current, ...patch });
  }
  const audit = { action: "label_policy.update", targetType: "label_policy", targetId: id, data: patch };
  const row = await changeConfig(ctx, audit, async (tx) => {
    const [current] = await tx
      .select()
      .from(labelPolicies)
      .where(and(eq(labelPolicies.id, id), eq(labelPolicies.workspaceId, ctx.workspaceId)));
    if (!current) throw new NotFoundError(`Label policy ${id} not found`);
    await validate(tx, ctx.workspaceId, { ...current, ...patch });
    const [updated] = await tx
      .update(labelPolicies)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(labelPolicies.id, id))
      .returning();
    if (updated!.enabled && updated!.filters?.segment)
      await refreshSegmentMembersIn(tx, ctx.workspaceId, new Date(), [updated!.filters.segment]);
    return updated!;
  });
  return toLabelPolicy(row);
}

/** Deleting a policy lifts its throttles and re-auths (their firings go with it); its blocklist entries stay until they expire or are removed. */
export async function deleteLabelPolicy({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  const audit = ({ name }: { name: string }) => ({
    action: "label_policy.delete",
    targetType: "label_policy",
    targetId: id,
    data: { name },
  });
  await changeConfig(ctx, audit, async (tx) => {
    const [row] = await tx
      .delete(labelPolicies)
      .where(and(eq(labelPolicies.id, id), eq(labelPolicies.workspaceId, ctx.workspaceId)))
      .returning();
    if (!row) throw new NotFoundError(`Label policy ${id} not found`);
    return row;
  });
  return { id, deleted: true };
}

export async function getLabelPolicy({ ctx, id }: { ctx: ServiceCtx; id: string }) {
  const [row] = await ctx.db
    .select()
    .from(labelPolicies)
    .where(and(eq(labelPolicies.id, id), eq(labelPolicies.workspaceId, ctx.workspaceId)));
  if (!row) throw new NotFoundError(`Label policy ${id} not found`);
  return toLabelPolicy(row);
}
