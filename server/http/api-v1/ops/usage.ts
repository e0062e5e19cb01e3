import { z } from "zod";
import { DIMENSIONS } from "@/db/schema";
import { ZLabelCount, ZTopUsage, ZUsage } from "@/server/contract/api-v1";
import { countLabels } from "@/server/services/events/count-labels";
import { exportUsageCsv, queryUsage, topUsage } from "@/server/services/usage/query-usage";
import { defineOp } from "../define";
import { qInt, qTime, range } from "../query";

const ZUsageParams = z.object({
  dimension: z.enum(DIMENSIONS).optional(),
  key: z.string().max(256).optional(),
  from: qTime.optional(),
  to: qTime.optional(),
  interval: z.enum(["minute", "hour", "day"]).optional(),
  segment: z.string().max(64).optional().describe("only this segment's members (seg_…)"),
});

export const getUsage = defineOp({
  method: "GET",
  path: "/api/v1/usage",
  operationId: "getUsage",
  tag: "Usage",
  scope: "read",
  permission: "workspace.read",
  summary: "Totals and a time series of requests, tokens and cost (exact nano-dollars), for the workspace or one dimension/key",
  query: ZUsageParams,
  response: ZUsage,
  handler: ({ ctx, query }) => queryUsage({ ctx, input: { ...query, ...range(query) } }),
});

export const getTopUsage = defineOp({
  method: "GET",
  path: "/api/v1/usage/top",
  operationId: "getTopUsage",
  tag: "Usage",
  scope: "read",
  permission: "workspace.read",
  summary: "The top end users, orgs, features, models or tiers by cost, tokens or requests",
  query: z.object({
    dimension: z.enum(DIMENSIONS).exclude(["workspace"]),
    orderBy: z.enum(["cost", "tokens", "requests"]).optional(),
    limit: qInt(1, 1000).optional(),
    from: qTime.optional(),
    to: qTime.optional(),
    segment: z.string().max(64).optional().describe("only this segment's members (seg_…)"),
  }),
  response: ZTopUsage,
  handler: async ({ ctx, query }) => ({ data: await topUsage({ ctx, input: { ...query, ...range(query) } }) }),
});

export const exportUsage = defineOp({
  method: "GET",
  path: "/api/v1/usage/export",
  operationId: "exportUsage",
  tag: "Usage",
  scope: "read",
  permission: "workspace.read",
  csv: true,
  summary: "Usage as CSV, one line per time bucket and key",
  query: ZUsageParams,
  response: z.string(),
  handler: ({ ctx, query }) => exportUsageCsv({ ctx, input: { ...query, ...range(query) } }),
});

export const getLabelCounts = defineOp({
  method: "GET",
  path: "/api/v1/usage/labels",
  operationId: "getLabelCounts",
  tag: "Usage",
  scope: "read",
  permission: "workspace.read",
  summary: "How many events (and distinct end users) carry each intent label in a range",
  query: z.object({ from: qTime.optional(), to: qTime.optional() }),
  response: ZLabelCount,
  handler: async ({ ctx, query }) => ({ data: await countLabels({ ctx, input: range(query) }) }),
});
