import { sql } from "drizzle-orm";
import { z } from "zod";
import { resultRows } from "@/db/client";
import type { ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";

export const ZLabelCounts = z.object({ from: z.coerce.date(), to: z.coerce.date() });

/** How many events carry each intent label in a range (reads only labelled events). */
export async function countLabels({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZLabelCounts> }) {
  const q = ZLabelCounts.parse(input);
  if (q.to <= q.from) throw new InvalidInputError("to must be after from");
  const rows = resultRows<{ label: string; n: string; users: string }>(
    await ctx.db.execute(sql`select l as label, count(*)::text as n, count(distinct user_id)::text as users
      from events, unnest(labels) as l
      where workspace_id = ${ctx.workspaceId} and cardinality(labels) > 0
        and occurred_at >= ${q.from.toISOString()}::timestamptz and occurred_at < ${q.to.toISOString()}::timestamptz
      group by l order by count(*) desc, l limit 100`),
  );
  return rows.map((r) => ({ label: r.label, events: Number(r.n), endUsers: Number(r.users) }));
}
