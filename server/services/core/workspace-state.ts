import { and, eq, gt, isNull, or } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { NotFoundError } from "../errors";
import { processGlobal } from "@/server/lib/process-global";
import { alerts, blocklist, customLabels, labelPolicies, modelPrices, rules, workspaces, type Plan } from "@/db/schema";
import type { CustomPrice } from "./pricing";
import { loadSegmentMembers, loadUserSignals, type UserSignals } from "./user-signals";

export type RuleRow = typeof rules.$inferSelect;
export type BlockRow = typeof blocklist.$inferSelect;
export type AlertRow = typeof alerts.$inferSelect;
export type LabelPolicyRow = typeof labelPolicies.$inferSelect;

export interface WorkspaceState {
  version: number;
  checkedAt: number;
  plan: Plan;
  subscriptionStatus: string | null;
  graceUntil: Date | null;
  /** Enterprise's own included requests a month (set by the operator); null → the plan's. */
  includedRequests: number | null;
  payloadLogging: boolean;
  redactPayloads: boolean;
  /** The workspace's own model prices by lower-cased model name. */
  customPrices: Map<string, CustomPrice>;
  rules: RuleRow[];
  /** Enabled threshold alerts (evaluated after each record, in the background). */
  alerts: AlertRow[];
  /** Active or future-expiring entries by "user:<id>" / "org:<id>". */
  blocks: Map<string, BlockRow[]>;
  /** The workspace's usage policy text (tos_breach) and its own labels, for both labellers. */
  usagePolicy: string | null;
  /** Send text to the LLM labeller unredacted (off by default). */
  llmLabelRawText: boolean;
  customLabels: Array<{ name: string; description: string }>;
  /** Enabled label policies (evaluated by the labeller after it writes labels). */
  labelPolicies: LabelPolicyRow[];
  /** Reloaded alone when label_version changes: per end user, recent labels and active throttles / re-auths. */
  labelVersion: number;
  signals: Map<string, UserSignals>;
  /** Members of the segments enabled rules and policies target, by segment id (reloaded with the signals). */
  segmentMembers: Map<string, Set<string>>;
}

/**
 * How long a process trusts its cached rules and blocklist before re-reading the
 * workspace's config version: a change made through another process is seen within this.
 */
export const STATE_TTL_MS = 500;
const states = processGlobal("workspaceStates", () => new Map<string, WorkspaceState>());
/** One load at a time per workspace: concurrent checks that find the cache stale share it (M10). */
const loads = processGlobal("workspaceStateLoads", () => new Map<string, Promise<WorkspaceState>>());
/**
 * Bumped by every forget: a load that began before a change and ends after it must not put the
 * old state back into the cache (it would be served for up to STATE_TTL_MS: a rule, block or
 * setting change invisible in the very process that made it).
 */
const epochs = processGlobal("workspaceStateEpochs", () => new Map<string, number>());
const MAX_CACHED_WORKSPACES = 10_000;

/** Settings, rules, blocklist and prices of a workspace, cached per process, invalidated by config_version. */
export async function getWorkspaceState(db: Queryable, workspaceId: string, now = Date.now()): Promise<WorkspaceState> {
  const fresh = freshWorkspaceState(workspaceId, now);
  if (fresh) return fresh;
  const cached = states.get(workspaceId);
  const inFlight = loads.get(workspaceId);
  if (inFlight) return inFlight;
  const load = refreshState(db, workspaceId, now, cached, epochs.get(workspaceId) ?? 0).finally(() => {
    if (loads.get(workspaceId) === load) loads.delete(workspaceId);
  });
  loads.set(workspaceId, load);
  return load;
}

/**
 * The cached state when it is fresh, else null, without an await: the check's hot path asks this
 * first and falls back to `getWorkspaceState` (every await costs a turn of the microtask queue).
 */
export function freshWorkspaceState(workspaceId: string, now: number): WorkspaceState | null {
  const cached = states.get(workspaceId);
  return cached && now - cached.checkedAt < STATE_TTL_MS ? cached : null;
}

async function refreshState(
  db: Queryable,
  workspaceId: string,
  now: number,
  cached: WorkspaceState | undefined,
  epoch: number,
): Promise<WorkspaceState> {
  const current = () => (epochs.get(workspaceId) ?? 0) === epoch;
  const [ws] = await db
    .select({
      version: workspaces.configVersion,
      labelVersion: workspaces.labelVersion,
      plan: workspaces.plan,
      subscriptionStatus: workspaces.subscriptionStatus,
      graceUntil: workspaces.graceUntil,
      includedRequests: workspaces.includedRequests,
      payloadLogging: workspaces.payloadLogging,
      redactPayloads: workspaces.redactPayloads,
      llmLabelRawText: workspaces.llmLabelRawText,
    })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId))
    .limit(1);
  if (!ws) throw new NotFoundError("Workspace not found");
  if (cached && cached.version === ws.version) {
    if (cached.labelVersion !== ws.labelVersion) {
      const [signals, segmentMembers] = await Promise.all([loadUserSignals(db, workspaceId, now), loadSegmentMembers(db, workspaceId)]);
      if (!current()) return { ...cached, signals, segmentMembers, labelVersion: ws.labelVersion };
      cached.signals = signals;
      cached.segmentMembers = segmentMembers;
      cached.labelVersion = ws.labelVersion;
    }
    if (current()) cached.checkedAt = now;
    return cached;
  }
  const [ruleRows, blockRows, priceRows, alertRows, labelRows, policyRows, policyText, signals, segmentMembers] = await Promise.all([
    db
      .select()
      .from(rules)
      .where(and(eq(rules.workspaceId, workspaceId), eq(rules.enabled, true))),
    db
      .select()
      .from(blocklist)
      .where(and(eq(blocklist.workspaceId, workspaceId), or(isNull(blocklist.expiresAt), gt(blocklist.expiresAt, new Date(now))))),
    db.select().from(modelPrices).where(eq(modelPrices.workspaceId, workspaceId)),
    db
      .select()
      .from(alerts)
      .where(and(eq(alerts.workspaceId, workspaceId), eq(alerts.enabled, true))),
    db
      .select({ name: customLabels.name, description: customLabels.description })
      .from(customLabels)
      .where(eq(customLabels.workspaceId, workspaceId)),
    db
      .select()
      .from(labelPolicies)
      .where(and(eq(labelPolicies.workspaceId, workspaceId), eq(labelPolicies.enabled, true))),
    db.select({ usagePolicy: workspaces.usagePolicy }).from(workspaces).where(eq(workspaces.id, workspaceId)),
    loadUserSignals(db, workspaceId, now),
    loadSegmentMembers(db, workspaceId),
  ]);
  const blocks = new Map<string, BlockRow[]>();
  for (const b of blockRows) {
    const key = `${b.subjectType}:${b.subjectId}`;
    blocks.set(key, [...(blocks.get(key) ?? []), b]);
  }
  const state: WorkspaceState = {
    version: ws.version,
    checkedAt: now,
    plan: ws.plan,
    subscriptionStatus: ws.subscriptionStatus,
    graceUntil: ws.graceUntil,
    includedRequests: ws.includedRequests,
    payloadLogging: ws.payloadLogging,
    redactPayloads: ws.redactPayloads,
    customPrices: new Map(priceRows.map((p) => [p.model, p])),
    rules: ruleRows,
    alerts: alertRows,
    blocks,
    usagePolicy: policyText[0]?.usagePolicy ?? null,
    llmLabelRawText: ws.llmLabelRawText,
    customLabels: labelRows,
    labelPolicies: policyRows,
    labelVersion: ws.labelVersion,
    signals,
    segmentMembers,
  };
  if (!current()) return state;
  if (states.size > MAX_CACHED_WORKSPACES) states.clear();
  states.set(workspaceId, state);
  return state;
}

/** The next read re-checks the versions (and reloads what changed) instead of trusting the TTL. */
export function recheckWorkspaceState(workspaceId: string) {
  const cached = states.get(workspaceId);
  if (cached) cached.checkedAt = -Infinity;
}

export function forgetWorkspaceState(workspaceId: string) {
  if (epochs.size > MAX_CACHED_WORKSPACES) epochs.clear();
  epochs.set(workspaceId, (epochs.get(workspaceId) ?? 0) + 1);
  states.delete(workspaceId);
  loads.delete(workspaceId);
}
