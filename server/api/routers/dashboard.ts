import { getOverview, ZOverview } from "@/server/services/dashboard/get-overview";
import { router, workspaceProcedure } from "../trpc";

export const dashboardRouter = router({
  overview: workspaceProcedure.input(ZOverview).query(({ ctx, input }) => getOverview({ ctx: ctx.service, input })),
});
