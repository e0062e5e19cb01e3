import { and, gt, lte, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { alertFirings, blocklist } from "@/db/schema";
import { EVENTS } from "@/server/events/catalogue";
import { publish } from "@/server/events/publish";

/** How far back the sweep looks: an entry that expired longer ago (the app was down) is not reported late. */
export const EXPIRY_LOOKBACK_MS = 24 * 3600_000;
const BATCH = 500;

/**
 * Blocklist entries whose expiry has passed stop blocking on their own (the check compares
 * expires_at); this minute job tells webhooks: one `end_user.unblocked` (reason "expired") per
 * entry, exactly once across processes and runs. The entry stays (the blocklist's history); the
 * once-row is an alert_firings row keyed by the entry (threshold "expired"), written in the same
 * transaction as the outbox entry.
 */
export async function publishExpiredBlocks(db: Db, now = new Date()) {
  const since = new Date(now.getTime() - EXPIRY_LOOKBACK_MS);
  const due = await db
    .select()
    .from(blocklist)
    .where(
      and(
        lte(blocklist.expiresAt, now),
        gt(blocklist.expiresAt, since),
        sql`not exists (select 1 from alert_firings f where f.workspace_id = ${blocklist.workspaceId}
          and f.source_id = ${blocklist.id} and f.threshold = 'expired')`,
      ),
    )
    .limit(BATCH);
  let published = 0;
  for (const row of due) {
    const done = await db.transaction(async (tx) => {
      const subject = `${row.subjectType}:${row.subjectId}`;
      const [once] = await tx
        .insert(alertFirings)
        .values({
          id: `fir_exp_${row.id}`,
          workspaceId: row.workspaceId,
          sourceId: row.id,
          subject,
          threshold: "expired",
          period: "expired",
          firedAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: alertFirings.id });
      if (!once) return false;
      await publish(tx, EVENTS.endUserUnblocked, row.workspaceId, {
        blocklistId: row.id,
        subjectType: row.subjectType,
        subjectId: row.subjectId,
        reason: "expired",
        blockReason: row.reason,
        expiresAt: row.expiresAt!.toISOString(),
        source: row.source,
        actor: { type: "system", id: null },
        at: row.expiresAt!.toISOString(),
      });
      return true;
    });
    if (done) published++;
  }
  return { expired: published };
}
