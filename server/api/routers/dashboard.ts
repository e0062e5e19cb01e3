import { getActiveUsers, ZActiveUsersQuery } from "@/server/services/dashboard/active-users";
import { getOverview, ZOverview } from "@/server/services/dashboard/get-overview";
import { router, workspaceProcedure } from "../trpc";

export const dashboardRouter = router({
  overview: workspaceProcedure.input(ZOverview).query(({ ctx, input }) => getOverview({ ctx: ctx.service, input })),
  /** Active and new end users per day or week of the Overview's range. */
  activeUsers: workspaceProcedure.input(ZActiveUsersQuery).query(({ ctx, input }) => getActiveUsers({ ctx: ctx.service, input })),
});
