import { setEndUserTier, ZSetEndUserTier } from "@/server/services/end-users/set-tier";
import { getEndUser, ZEndUserId } from "@/server/services/end-users/get-end-user";
import { listEndUsers, ZListEndUsers } from "@/server/services/end-users/list-end-users";
import { permissionProcedure, router, workspaceProcedure } from "../trpc";

export const endUsersRouter = router({
  list: workspaceProcedure.input(ZListEndUsers).query(({ ctx, input }) => listEndUsers({ ctx: ctx.service, input })),
  get: workspaceProcedure.input(ZEndUserId).query(({ ctx, input }) => getEndUser({ ctx: ctx.service, userId: input.userId })),
  setTier: permissionProcedure("blocklist.manage")
    .input(ZEndUserId.extend(ZSetEndUserTier.shape))
    .mutation(({ ctx, input }) => setEndUserTier({ ctx: ctx.service, userId: input.userId, input: { tier: input.tier } })),
});
