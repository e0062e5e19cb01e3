import { and, eq, gt, isNull, or, sql } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { NotFoundError } from "../errors";
import { blocklist, modelPrices, rules, workspaces } from "@/db/schema";
import type { CustomPrice } from "../metering/pricing";

export type RuleRow = typeof rules.$inferSelect;
export type BlockRow = typeof blocklist.$inferSelect;

export interface WorkspaceState {
  version: number;
  checkedAt: number;
  plan: string;
  payloadLogging: boolean;
  redactPayloads: boolean;
  /** The workspace's own model prices by lower-cased model name. */
  customPrices: Map<string, CustomPrice>;
  rules: RuleRow[];
  /** Active or future-expiring entries by "user:<id>" / "org:<id>". */
  blocks: Map<string, BlockRow[]>;
}

/**
 * How long a process trusts its cached rules and blocklist before re-reading the
 * workspace's config version: a change made through another process is seen within this.
 */
export const STATE_TTL_MS = 500;
const states = new Map<string, WorkspaceState>();

/** Settings, rules, blocklist and prices of a workspace, cached per process, invalidated by config_version. */
export async function getWorkspaceState(db: Queryable, workspaceId: string, now = Date.now()): Promise<WorkspaceState> {
  const cached = states.get(workspaceId);
  if (cached && now - cached.checkedAt < STATE_TTL_MS) return cached;
  const [ws] = await db
    .select({
      version: workspaces.configVersion,
      plan: workspaces.plan,
      payloadLogging: workspaces.payloadLogging,
      redactPayloads: workspaces.redactPayloads,
    })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId))
    .limit(1);
  if (!ws) throw new NotFoundError("Workspace not found");
  if (cached && cached.version === ws.version) {
    cached.checkedAt = now;
    return cached;
  }
  const [ruleRows, blockRows, priceRows] = await Promise.all([
    db.select().from(rules).where(and(eq(rules.workspaceId, workspaceId), eq(rules.enabled, true))),
    db
      .select()
      .from(blocklist)
      .where(and(eq(blocklist.workspaceId, workspaceId), or(isNull(blocklist.expiresAt), gt(blocklist.expiresAt, new Date(now))))),
    db.select().from(modelPrices).where(eq(modelPrices.workspaceId, workspaceId)),
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
    payloadLogging: ws.payloadLogging,
    redactPayloads: ws.redactPayloads,
    customPrices: new Map(priceRows.map((p) => [p.model, p])),
    rules: ruleRows,
    blocks,
  };
  if (states.size > 10_000) states.clear();
  states.set(workspaceId, state);
  return state;
}

/** Bump the workspace's config version (inside the change's transaction) and drop this process's copy. */
export async function bumpConfigVersion(tx: Queryable, workspaceId: string) {
  await tx
    .update(workspaces)
    .set({ configVersion: sql`${workspaces.configVersion} + 1` })
    .where(eq(workspaces.id, workspaceId));
  states.delete(workspaceId);
}

export function forgetWorkspaceState(workspaceId: string) {
  states.delete(workspaceId);
}
