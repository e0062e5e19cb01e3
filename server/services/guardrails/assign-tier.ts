import { sql } from "drizzle-orm";
import { resultRows, type Db } from "@/db/client";
import { EVENTS } from "@/server/events/catalogue";
import { publish } from "@/server/events/publish";
import { writeAudit } from "../audit/write-audit";
import type { Actor } from "../context";
import { bumpLabelVersion, configTransaction } from "../core/change-config";

export interface TTierChange {
  /** False when the end user already had that tier assigned: nothing was written or sent. */
  changed: boolean;
  userId: string;
  /** The tier in force before: the one assigned, else the last one the SDK sent. */
  from: string | null;
  /** The assigned tier now (null: the SDK's tier applies again). */
  to: string | null;
}

/**
 * Assign an end user a tier (or clear it with null), once: in one transaction under the row's
 * lock the end user's assigned tier changes, the audit row and the `end_user.tier_changed`
 * outbox entry are written, and the label version is bumped so every process's /sdk/check reads
 * the new tier (this one at once, others within the state TTL). Assigning the tier it already
 * has changes nothing and sends nothing, so concurrent checks crossing the same rule, and
 * retries, send one event.
 */
export async function assignTier(
  db: Db,
  input: { workspaceId: string; userId: string; tier: string | null; ruleId: string | null; actor: Actor; now?: Date },
): Promise<TTierChange> {
  const { workspaceId, userId, tier, ruleId, actor } = input;
  const now = input.now ?? new Date();
  return configTransaction(db, async (tx) => {
    const [before] = resultRows<{ assigned_tier: string | null; tier: string | null }>(
      await tx.execute(sql`select assigned_tier, tier from end_users
        where workspace_id = ${workspaceId} and user_id = ${userId} for update`),
    );
    const from = before?.assigned_tier ?? before?.tier ?? null;
    if ((before?.assigned_tier ?? null) === tier) return { changed: false, userId, from, to: tier };
    if (!before && tier === null) return { changed: false, userId, from, to: tier };
    const at = now.toISOString();
    await tx.execute(sql`insert into end_users (workspace_id, user_id, first_seen_at, last_seen_at, assigned_tier, tier_assigned_at)
      values (${workspaceId}, ${userId}, ${at}::timestamptz, ${at}::timestamptz, ${tier}, ${at}::timestamptz)
      on conflict (workspace_id, user_id) do update set assigned_tier = excluded.assigned_tier, tier_assigned_at = excluded.tier_assigned_at`);
    await writeAudit(tx, {
      workspaceId,
      actor,
      action: "end_user.tier_change",
      targetType: "end_user",
      targetId: userId,
      data: { from, to: tier, ruleId },
    });
    await publish(tx, EVENTS.endUserTierChanged, workspaceId, {
      userId,
      from,
      to: tier,
      ruleId,
      actor: { type: actor.type, id: actor.id },
      at,
    });
    await bumpLabelVersion(tx, workspaceId);
    return { changed: true, userId, from, to: tier };
  });
}
