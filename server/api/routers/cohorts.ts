import { cohortTable, ZCohortQuery } from "@/server/services/segments/cohorts";
import { router, workspaceProcedure } from "../trpc";

export const cohortsRouter = router({
  table: workspaceProcedure.input(ZCohortQuery).query(({ ctx, input }) => cohortTable({ ctx: ctx.service, input })),
});
