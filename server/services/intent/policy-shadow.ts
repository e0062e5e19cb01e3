import { sql } from "drizzle-orm";
import { z } from "zod";
import { resultRows } from "@/db/client";
import type { ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";
import { getLabelPolicy } from "./manage-label-policies";

const WEEK_MS = 7 * 86_400_000;

/** The range: the last 7 days by default (to: now; from: a week before `to`). */
export const ZPolicyShadowQuery = z.object({
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  limit: z.number().int().min(1).max(100).default(20),
});

/**
 * What a label policy in shadow mode would have done over a range: `checks` the labels it
 * watched (its label, at its stage; for the content stage, whose labels are never stored, its firings), `wouldDeny` its would-have firings (a block or throttle it
 * did not apply, an alert it did not send), `endUsers` the distinct end users those hit, and the
 * top ones. Read from the labels and the firings it recorded with `shadow` set.
 */
export async function getLabelPolicyShadow({ ctx, id, input }: { ctx: ServiceCtx; id: string; input: z.input<typeof ZPolicyShadowQuery> }) {
  const q = ZPolicyShadowQuery.parse(input);
  const until = q.to ?? new Date();
  const since = q.from ?? new Date(until.getTime() - WEEK_MS);
  if (until <= since) throw new InvalidInputError("to must be after from");
  const policy = await getLabelPolicy({ ctx, id });
  const from = since.toISOString();
  const to = until.toISOString();
  const [watched, top, totals] = await Promise.all([
    // Content labels (a call's tool results) are never stored: a content policy watched what it fired on.
    policy.stage === "content"
      ? ctx.db.execute(sql`select count(*)::int as n from policy_firings
          where workspace_id = ${ctx.workspaceId} and policy_id = ${id}
            and created_at >= ${from}::timestamptz and created_at < ${to}::timestamptz`)
      : ctx.db.execute(sql`select count(*)::int as n from end_user_labels
          where workspace_id = ${ctx.workspaceId} and label = ${policy.label} and stage = ${policy.stage}
            and occurred_at >= ${from}::timestamptz and occurred_at < ${to}::timestamptz`),
    ctx.db.execute(sql`select user_id, count(*)::int as n from policy_firings
      where workspace_id = ${ctx.workspaceId} and policy_id = ${id} and shadow
        and created_at >= ${from}::timestamptz and created_at < ${to}::timestamptz
      group by user_id order by count(*) desc, user_id limit ${q.limit}`),
    ctx.db.execute(sql`select count(*)::int as n, count(distinct user_id)::int as users from policy_firings
      where workspace_id = ${ctx.workspaceId} and policy_id = ${id} and shadow
        and created_at >= ${from}::timestamptz and created_at < ${to}::timestamptz`),
  ]);
  const [sum] = resultRows<{ n: number; users: number }>(totals);
  return {
    policyId: id,
    mode: policy.mode,
    from,
    to,
    checks: Number(resultRows<{ n: number }>(watched)[0]?.n ?? 0),
    wouldDeny: Number(sum?.n ?? 0),
    endUsers: Number(sum?.users ?? 0),
    top: resultRows<{ user_id: string; n: number }>(top).map((r) => ({ userId: r.user_id, wouldDeny: Number(r.n) })),
  };
}
