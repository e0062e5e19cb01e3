import { sql } from "drizzle-orm";
import { z } from "zod";
import { resultRows } from "@/db/client";
import type { ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";

export const ZUnpricedModels = z.object({
  from: z.coerce.date(),
  to: z.coerce.date(),
  limit: z.number().int().min(1).max(50).default(5),
});

/**
 * The models whose calls in a range were recorded without a price (cost $0), most such calls
 * first: what to set a custom price for. Read from the model rollups (exact sums).
 */
export async function listUnpricedModels({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZUnpricedModels> }) {
  const q = ZUnpricedModels.parse(input);
  if (q.to <= q.from) throw new InvalidInputError("to must be after from");
  const rows = resultRows<{ model: string; unpriced: string; requests: string }>(
    await ctx.db.execute(sql`select key as model, sum(unpriced_requests)::text as unpriced, sum(requests)::text as requests
      from usage_rollups
      where workspace_id = ${ctx.workspaceId} and dimension = 'model'
        and bucket >= ${q.from.toISOString()}::timestamptz and bucket < ${q.to.toISOString()}::timestamptz
      group by key having sum(unpriced_requests) > 0
      order by sum(unpriced_requests) desc, key limit ${q.limit}`),
  );
  return rows.map((r) => ({ model: r.model, unpricedRequests: Number(r.unpriced), requests: Number(r.requests) }));
}
