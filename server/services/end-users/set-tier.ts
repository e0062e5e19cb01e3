import { sql } from "drizzle-orm";
import { z } from "zod";
import { resultRows } from "@/db/client";
import type { ServiceCtx } from "../context";
import { NotFoundError } from "../errors";
import { assignTier } from "../guardrails/assign-tier";

export const ZSetEndUserTier = z.strictObject({
  /** The tier to assign; null clears it (the tier the SDK sends applies again). */
  tier: z.string().trim().min(1).max(64).nullable(),
});

/** Assign or clear an end user's tier by hand (dashboard, API). 404 for an end user never seen. */
export async function setEndUserTier({ ctx, userId, input }: { ctx: ServiceCtx; userId: string; input: z.input<typeof ZSetEndUserTier> }) {
  const { tier } = ZSetEndUserTier.parse(input);
  const [seen] = resultRows<{ n: number }>(
    await ctx.db.execute(sql`select 1 as n from end_users where workspace_id = ${ctx.workspaceId} and user_id = ${userId}`),
  );
  if (!seen) throw new NotFoundError(`End user ${userId} not found`);
  return assignTier(ctx.db, { workspaceId: ctx.workspaceId, userId, tier, ruleId: null, actor: ctx.actor });
}
