import { exportBreakdownCsv, usageBreakdown, ZBreakdownQuery } from "@/server/services/usage/breakdown";
import { router, workspaceProcedure } from "../trpc";

export const breakdownRouter = router({
  query: workspaceProcedure.input(ZBreakdownQuery).query(({ ctx, input }) => usageBreakdown({ ctx: ctx.service, input })),
  exportCsv: workspaceProcedure
    .input(ZBreakdownQuery.omit({ limit: true, cursor: true }))
    .query(({ ctx, input }) => exportBreakdownCsv({ ctx: ctx.service, input })),
});
