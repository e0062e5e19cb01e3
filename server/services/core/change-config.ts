import { eq, sql } from "drizzle-orm";
import type { Db, Queryable } from "@/db/client";
import { workspaces } from "@/db/schema";
import { writeAudit } from "../audit/write-audit";
import type { Actor } from "../context";
import { forgetWorkspaceState, recheckWorkspaceState } from "./workspace-state";

/** The audit row of a configuration change; workspace and actor come from the scope. */
export interface TConfigAudit {
  action: string;
  targetType?: string;
  targetId?: string;
  data?: Record<string, unknown>;
}

/** Where a change runs: its own transaction on `db`, or an outer one opened by `configTransaction`. */
export type TConfigScope = { workspaceId: string; actor: Actor } & ({ db: Db } | { tx: Queryable });

interface Bumps {
  config: Set<string>;
  labels: Set<string>;
}

/** The version bumps of each open config transaction, acted on in this process once it commits. */
const openTransactions = new WeakMap<object, Bumps>();

/**
 * A transaction whose version bumps reach this process's cache once it commits: a config bump
 * forgets the workspace's state, a label bump makes the next read re-check the versions.
 * Forgetting only before the commit would let a load that runs in between cache the old rows.
 */
export async function configTransaction<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const bumps: Bumps = { config: new Set(), labels: new Set() };
  const result = await db.transaction((tx) => {
    openTransactions.set(tx, bumps);
    return fn(tx);
  });
  for (const id of bumps.config) forgetWorkspaceState(id);
  for (const id of bumps.labels) if (!bumps.config.has(id)) recheckWorkspaceState(id);
  return result;
}

/**
 * Change configuration that every process caches (rules, blocklist, alerts, label policies,
 * plan, settings): run `write`, bump the config version, write the audit row, all in one
 * transaction, and forget this process's copy after the commit. Other processes see the new
 * version within STATE_TTL_MS. `audit` may depend on what `write` returned (a new row's id).
 */
export async function changeConfig<T>(
  scope: TConfigScope,
  audit: TConfigAudit | ((result: T) => TConfigAudit),
  write: (tx: Queryable) => Promise<T>,
): Promise<T> {
  const run = async (tx: Queryable) => {
    const result = await write(tx);
    await bumpConfigVersion(tx, scope.workspaceId);
    const entry = typeof audit === "function" ? audit(result) : audit;
    await writeAudit(tx, { workspaceId: scope.workspaceId, actor: scope.actor, ...entry });
    return result;
  };
  return "tx" in scope ? run(scope.tx) : configTransaction(scope.db, run);
}

function bumpsOf(tx: Queryable): Bumps {
  const bumps = openTransactions.get(tx);
  // Outside a config transaction nothing would drop this process's copy after the commit.
  if (!bumps) throw new Error("A version bump must run inside configTransaction or changeConfig");
  return bumps;
}

/** Bump the config version (inside the change's transaction) and drop this process's copy at once. */
async function bumpConfigVersion(tx: Queryable, workspaceId: string) {
  const bumps = bumpsOf(tx);
  await tx
    .update(workspaces)
    .set({ configVersion: sql`${workspaces.configVersion} + 1` })
    .where(eq(workspaces.id, workspaceId));
  bumps.config.add(workspaceId);
  forgetWorkspaceState(workspaceId);
}

/**
 * Bump the label version (inside the labeller's transaction, opened by `configTransaction`):
 * every process reloads only the per-user signals within STATE_TTL_MS; rules and blocklist stay
 * cached, and this process re-checks on its next read once the transaction commits.
 */
export async function bumpLabelVersion(tx: Queryable, workspaceId: string) {
  const bumps = bumpsOf(tx);
  await tx
    .update(workspaces)
    .set({ labelVersion: sql`${workspaces.labelVersion} + 1` })
    .where(eq(workspaces.id, workspaceId));
  bumps.labels.add(workspaceId);
}
