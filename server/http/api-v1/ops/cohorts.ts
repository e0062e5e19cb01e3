import { z } from "zod";
import { ZCohorts } from "@/server/contract/api-v1";
import { COHORT_METRICS, COHORT_PERIODS, cohortTable } from "@/server/services/segments/cohorts";
import { defineOp } from "../define";
import { qInt } from "../query";

export const getCohorts = defineOp({
  method: "GET",
  path: "/api/v1/cohorts",
  operationId: "getCohorts",
  tag: "Segments",
  scope: "read",
  permission: "workspace.read",
  summary:
    "End users grouped by the UTC week (from Monday) or month they were first seen, with active users (retention), requests or cost per cohort in each period since",
  query: z.object({
    period: z.enum(COHORT_PERIODS).optional(),
    metric: z.enum(COHORT_METRICS).optional(),
    periods: qInt(1, 52).optional().describe("how many cohorts back from the current period (default 12)"),
    segment: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe("only the current members of this segment (seg_…); another workspace's is a 404"),
  }),
  response: ZCohorts,
  handler: ({ ctx, query }) => cohortTable({ ctx, input: query }),
});
