import { z } from "zod";
import type { ServiceCtx } from "../context";
import { InvalidInputError } from "../errors";
import { countLabels } from "../events/count-labels";
import { queryUsage, topUsage } from "../usage/query-usage";

export const ZOverview = z.object({
  from: z.coerce.date(),
  to: z.coerce.date(),
  /** Absent → hours up to two days, days beyond. */
  interval: z.enum(["hour", "day"]).optional(),
  top: z.number().int().min(1).max(50).default(8),
});

const TWO_DAYS_MS = 2 * 86_400_000;

/**
 * Everything the Overview shows for a range, read from the rollups (exact sums) and the
 * labelled events: totals and a series, the top end users, features and models by cost,
 * and the intent label counts. One call, so its server time is one number.
 */
export async function getOverview({ ctx, input }: { ctx: ServiceCtx; input: z.input<typeof ZOverview> }) {
  const q = ZOverview.parse(input);
  if (q.to <= q.from) throw new InvalidInputError("to must be after from");
  const interval = q.interval ?? (q.to.getTime() - q.from.getTime() <= TWO_DAYS_MS ? "hour" : "day");
  const range = { from: q.from, to: q.to };
  const [usage, users, features, models, labels] = await Promise.all([
    queryUsage({ ctx, input: { ...range, dimension: "workspace", interval } }),
    topUsage({ ctx, input: { ...range, dimension: "user", limit: q.top } }),
    topUsage({ ctx, input: { ...range, dimension: "feature", limit: q.top } }),
    topUsage({ ctx, input: { ...range, dimension: "model", limit: q.top } }),
    countLabels({ ctx, input: range }),
  ]);
  return { ...usage, topUsers: users, topFeatures: features, topModels: models, labels };
}
