import { z } from "zod";
import { ZUsageBreakdown } from "@/server/contract/api-v1";
import { BREAKDOWN_DIMENSIONS, exportBreakdownCsv, usageBreakdown, ZBreakdownBy } from "@/server/services/usage/breakdown";
import { defineOp } from "../define";
import { qInt, qTime, range } from "../query";

/** `?by=user,feature,model`: a comma-separated list, each dimension at most once. */
const qBy = z
  .string()
  .describe(`comma-separated, in the order wanted: any of ${BREAKDOWN_DIMENSIONS.join(", ")}, each at most once`)
  .transform((s) => s.split(","))
  .pipe(ZBreakdownBy);

const ZBreakdownParams = z.object({
  by: qBy,
  from: qTime.optional(),
  to: qTime.optional(),
  segment: z.string().max(64).optional().describe("only the members of this segment (seg_…)"),
});

export const getUsageBreakdown = defineOp({
  method: "GET",
  path: "/api/v1/usage/breakdown",
  operationId: "getUsageBreakdown",
  tag: "Usage",
  scope: "read",
  permission: "workspace.read",
  summary: "Usage grouped by any combination of user, org, feature, model and tier (for chargebacks), by cost, paginated",
  query: ZBreakdownParams.extend({
    limit: qInt(1, 1000).optional(),
    cursor: z.string().min(1).max(4096).optional().describe("nextCursor of the previous page"),
  }),
  response: ZUsageBreakdown,
  handler: ({ ctx, query }) => usageBreakdown({ ctx, input: { ...query, ...range(query) } }),
});

export const exportUsageBreakdown = defineOp({
  method: "GET",
  path: "/api/v1/usage/breakdown/export",
  operationId: "exportUsageBreakdown",
  tag: "Usage",
  scope: "read",
  permission: "workspace.read",
  csv: true,
  summary: "The whole usage breakdown as CSV, one line per group, by cost",
  query: ZBreakdownParams,
  response: z.string(),
  handler: ({ ctx, query }) => exportBreakdownCsv({ ctx, input: { ...query, ...range(query) } }),
});
