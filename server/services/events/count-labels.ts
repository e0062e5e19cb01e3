import { sql } from "drizzle-orm";
import { z } from "zod";
import { resultRows } from "@/db/client";
import type { ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";

export const ZLabelCounts = z.object({ from: z.coerce.date(), to: z.coerce.date() });

/**
 * How many events carry each intent label in a range (reads only labelled events, through the
 * partial index on cardinality(labels) > 0). `labels <> '{}'` says the same for the planner, which
 * cannot estimate cardinality() and would otherwise expect a third of the events and scan them all.
 */
export async function countLabels({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZLabelCounts> }) {
  const q = ZLabelCounts.parse(input);
  if (q.to <= q.from) throw new InvalidInputError("to must be after from");
  // Per (label, end user) first, then per label: a hash aggregate, where count(distinct) would sort.
  const rows = resultRows<{ label: string; n: string; users: string }>(
    await ctx.db.execute(sql`select label, sum(n)::text as n, count(user_id)::text as users
      from (select l as label, user_id, count(*) as n
        from events, unnest(labels) as l
        where workspace_id = ${ctx.workspaceId} and cardinality(labels) > 0 and labels <> '{}'::text[]
          and occurred_at >= ${q.from.toISOString()}::timestamptz and occurred_at < ${q.to.toISOString()}::timestamptz
        group by l, user_id) per_user
      group by label order by sum(n) desc, label limit 100`),
  );
  return rows.map((r) => ({ label: r.label, events: Number(r.n), endUsers: Number(r.users) }));
}
