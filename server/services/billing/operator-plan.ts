/**
 * The operator's plan override (`npm run admin -- plan`): a sales deal such as Enterprise with a
 * custom monthly request volume and retention, set by hand whether Stripe billing is on or off.
 *
 * An operator-set paid plan (starter, growth, enterprise) is marked `plan_source = 'operator'`:
 * the workspace then has no subscription status (so effectivePlan applies the plan as set, and no
 * usage is reported to the Stripe meter: the deal is invoiced outside self-serve billing), Stripe
 * webhooks for it are recorded and audited but change nothing (webhooks.ts), and Checkout is
 * refused (checkout.ts). Setting `free` hands the workspace back to self-serve: the override ends,
 * and the owner may check out again.
 */
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { members, memberships, PLANS, workspaces, type Plan, type PlanSource } from "@/db/schema";
import { SYSTEM } from "../context";
import { InvalidInputError, NotFoundError } from "../errors";
import { changeConfig } from "../core/change-config";
import { retentionDays } from "../core/plans";
import { includedRequests } from "./plans";
import { billingEnabled } from "./stripe-client";

export const OPERATOR_PLAN_ACTION = "billing.plan_set_by_operator";

/** Most days of custom retention (ten years) and most included requests a month (a trillion). */
export const MAX_RETENTION_DAYS = 3650;
export const MAX_INCLUDED_REQUESTS = 1_000_000_000_000;

export const ZOperatorPlan = z
  .strictObject({
    /** A workspace id (ws_…) or the e-mail of the member who owns it. */
    workspace: z.string().trim().min(1, "a workspace id or owner e-mail is required").max(320),
    plan: z.enum(PLANS, { error: `plan must be one of ${PLANS.join(", ")}` }),
    includedRequests: z.number().int().min(1).max(MAX_INCLUDED_REQUESTS).optional(),
    retentionDays: z.number().int().min(1).max(MAX_RETENTION_DAYS).optional(),
  })
  .superRefine((v, issues) => {
    if (v.plan === "enterprise") return;
    for (const [key, flag] of [
      ["includedRequests", "--requests"],
      ["retentionDays", "--retention-days"],
    ] as const) {
      if (v[key] !== undefined) {
        issues.addIssue({ code: "custom", path: [key], message: `${flag} applies only to the enterprise plan (not ${v.plan})` });
      }
    }
  });
export type TOperatorPlan = z.input<typeof ZOperatorPlan>;

export interface PlanTermsOf {
  plan: Plan;
  planSource: PlanSource;
  subscriptionStatus: string | null;
  /** Included tracked requests a month that apply (custom or the plan's); null: no volume (enterprise without one). */
  includedRequests: number | null;
  /** Whether includedRequests is the workspace's own (enterprise) rather than the plan's. */
  customRequests: boolean;
  retentionDays: number;
  customRetention: boolean;
}

export interface OperatorPlanResult {
  workspace: { id: string; name: string; owners: string[] };
  before: PlanTermsOf;
  after: PlanTermsOf;
  billingEnabled: boolean;
  /** Things the operator should act on (a Stripe subscription still billing, …). */
  warnings: string[];
}

type WorkspaceRow = typeof workspaces.$inferSelect;

function termsOf(w: Pick<WorkspaceRow, "plan" | "planSource" | "subscriptionStatus" | "includedRequests" | "retentionDays">): PlanTermsOf {
  const customRequests = w.plan === "enterprise" && w.includedRequests !== null;
  const customRetention = w.plan === "enterprise" && w.retentionDays !== null;
  return {
    plan: w.plan,
    planSource: w.planSource,
    subscriptionStatus: w.subscriptionStatus,
    includedRequests: includedRequests(w.plan, w.includedRequests),
    customRequests,
    retentionDays: retentionDays(w.plan, w.retentionDays),
    customRetention,
  };
}

async function ownersOf(db: Db, workspaceId: string): Promise<string[]> {
  const rows = await db
    .select({ email: members.email, role: memberships.role })
    .from(memberships)
    .innerJoin(members, eq(members.id, memberships.memberId))
    .where(eq(memberships.workspaceId, workspaceId));
  return rows.filter((r) => r.role === "owner").map((r) => r.email);
}

/** A workspace by id, or by its owner's e-mail when that member owns exactly one. */
export async function findWorkspaceForOperator(db: Db, ref: string): Promise<WorkspaceRow> {
  const key = ref.trim();
  if (key.includes("@")) {
    const rows = await db
      .select({ workspace: workspaces, role: memberships.role })
      .from(members)
      .innerJoin(memberships, eq(memberships.memberId, members.id))
      .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
      .where(eq(members.email, key.toLowerCase()));
    const owned = rows.filter((r) => r.role === "owner").map((r) => r.workspace);
    if (owned.length === 1) return owned[0]!;
    if (owned.length === 0) {
      throw new NotFoundError(
        rows.length === 0
          ? `No member with the e-mail ${key}`
          : `${key} owns no workspace (a member of ${rows.length}; give the workspace id)`,
      );
    }
    const list = owned.map((w) => `${w.id} "${w.name}"`).join(", ");
    throw new InvalidInputError(`${key} owns ${owned.length} workspaces (${list}): give the workspace id`);
  }
  const [ws] = await db.select().from(workspaces).where(eq(workspaces.id, key));
  if (!ws) throw new NotFoundError(`No workspace ${key} (give a workspace id ws_… or the owner's e-mail)`);
  return ws;
}

/** Subscription statuses under which Stripe goes on invoicing. */
const BILLING_STATUSES = ["trialing", "active", "past_due", "unpaid", "incomplete"];

/**
 * Put a workspace on a plan by hand (the operator's door: actor system), audited as
 * billing.plan_set_by_operator with the plan, volume and retention before and after. Works with
 * Stripe billing on or off. Enterprise takes its own included requests a month and retention
 * days; a flag not given means the plan's default (no monthly volume; 365 days).
 */
export async function setPlanByOperator(db: Db, input: TOperatorPlan): Promise<OperatorPlanResult> {
  const parsed = ZOperatorPlan.parse(input);
  const ws = await findWorkspaceForOperator(db, parsed.workspace);
  const { plan } = parsed;
  const planSource: PlanSource = plan === "free" ? "self_serve" : "operator";
  const next = {
    plan,
    planSource,
    subscriptionStatus: null,
    includedRequests: plan === "enterprise" ? (parsed.includedRequests ?? null) : null,
    retentionDays: plan === "enterprise" ? (parsed.retentionDays ?? null) : null,
  };
  const before = termsOf(ws);
  const after = termsOf(next);
  const audit = {
    action: OPERATOR_PLAN_ACTION,
    targetType: "workspace",
    targetId: ws.id,
    data: {
      from: { ...before, customIncludedRequests: ws.includedRequests, customRetentionDays: ws.retentionDays },
      to: { ...after, customIncludedRequests: next.includedRequests, customRetentionDays: next.retentionDays },
      billingEnabled: billingEnabled(),
      stripeSubscriptionId: ws.stripeSubscriptionId,
    },
  };
  await changeConfig({ db, workspaceId: ws.id, actor: SYSTEM }, audit, async (tx) => {
    await tx
      .update(workspaces)
      .set({
        ...next,
        graceUntil: null,
        trialEndsAt: null,
        // Down to Free gets the same grace week before retention shortens as a lapsed subscription.
        droppedToFreeAt:
          plan === "free" ? sql`case when ${workspaces.plan} <> 'free' then now() else ${workspaces.droppedToFreeAt} end` : null,
        updatedAt: new Date(),
      })
      .where(eq(workspaces.id, ws.id));
  });
  const warnings: string[] = [];
  if (ws.stripeSubscriptionId && ws.subscriptionStatus && BILLING_STATUSES.includes(ws.subscriptionStatus)) {
    warnings.push(
      plan === "free"
        ? `Stripe subscription ${ws.stripeSubscriptionId} was ${ws.subscriptionStatus}: its next event sets the plan again (cancel it in Stripe to keep Free).`
        : `Stripe subscription ${ws.stripeSubscriptionId} is still ${ws.subscriptionStatus}: cancel it in Stripe, or it goes on invoicing. Its events no longer change this plan.`,
    );
  }
  if (plan === "enterprise" && next.includedRequests === null) {
    warnings.push("No --requests given: the workspace has no monthly volume (no 80% / 100% usage notices).");
  }
  return {
    workspace: { id: ws.id, name: ws.name, owners: await ownersOf(db, ws.id) },
    before,
    after,
    billingEnabled: billingEnabled(),
    warnings,
  };
}
