import { exportUsageCsv, queryUsage, topUsage, ZTopQuery, ZUsageQuery } from "@/server/services/usage/query-usage";
import { router, workspaceProcedure } from "../trpc";

export const usageRouter = router({
  query: workspaceProcedure.input(ZUsageQuery).query(({ ctx, input }) => queryUsage({ ctx: ctx.service, input })),
  top: workspaceProcedure.input(ZTopQuery).query(({ ctx, input }) => topUsage({ ctx: ctx.service, input })),
  exportCsv: workspaceProcedure.input(ZUsageQuery).query(({ ctx, input }) => exportUsageCsv({ ctx: ctx.service, input })),
});
