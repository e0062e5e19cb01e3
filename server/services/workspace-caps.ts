import { sql, type SQL } from "drizzle-orm";
import { resultRows, type Queryable } from "@/db/client";
import { InvalidInputError } from "./errors";

/**
 * What one workspace may hold of the things every check loads into memory (M10). Each process
 * reloads a workspace's whole rule set, blocklist and policies when one changes, so these
 * bounds are what keeps one tenant from making every check of every tenant slow. Documented in
 * the README; a workspace that needs more is an enterprise conversation.
 */
export const WORKSPACE_CAPS = {
  rules: { max: 500, what: "rules" },
  /** Entries in force (permanent or not yet expired), added by hand or by the API; automations' expire on their own. */
  blocks: { max: 100_000, what: "active blocklist entries" },
  labelPolicies: { max: 100, what: "label policies" },
  alerts: { max: 200, what: "alerts" },
  alertChannels: { max: 50, what: "alert channels" },
  apiKeys: { max: 100, what: "active API keys" },
} as const;

const COUNTS: Record<keyof typeof WORKSPACE_CAPS, (workspaceId: string) => SQL> = {
  rules: (w) => sql`select count(*)::int as n from rules where workspace_id = ${w}`,
  blocks: (w) => sql`select count(*)::int as n from blocklist where workspace_id = ${w} and (expires_at is null or expires_at > now())`,
  labelPolicies: (w) => sql`select count(*)::int as n from label_policies where workspace_id = ${w}`,
  alerts: (w) => sql`select count(*)::int as n from alerts where workspace_id = ${w}`,
  alertChannels: (w) => sql`select count(*)::int as n from alert_channels where workspace_id = ${w}`,
  apiKeys: (w) => sql`select count(*)::int as n from api_keys where workspace_id = ${w} and revoked_at is null`,
};

/** Refuse (400, naming the cap) a create that would take the workspace past its cap. */
export async function assertUnderCap(tx: Queryable, workspaceId: string, kind: keyof typeof WORKSPACE_CAPS): Promise<void> {
  const [row] = resultRows<{ n: number }>(await tx.execute(COUNTS[kind](workspaceId)));
  const { max, what } = WORKSPACE_CAPS[kind];
  if (Number(row?.n ?? 0) >= max) {
    throw new InvalidInputError(`A workspace holds at most ${max.toLocaleString("en-US")} ${what}; remove some first`, { cap: max, kind });
  }
}
