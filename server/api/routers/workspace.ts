import { z } from "zod";
import { getWorkspace, listMemberWorkspaces, renameWorkspace, ZWorkspaceName } from "@/server/services/workspaces/workspaces";
import { permissionProcedure, protectedProcedure, router, workspaceProcedure } from "../trpc";

export const workspaceRouter = router({
  mine: protectedProcedure.query(({ ctx }) => listMemberWorkspaces(ctx.db, ctx.memberId)),
  get: workspaceProcedure.query(async ({ ctx }) => ({ ...(await getWorkspace({ ctx: ctx.service })), role: ctx.role })),
  rename: permissionProcedure("workspace.settings")
    .input(z.object({ name: ZWorkspaceName }))
    .mutation(({ ctx, input }) => renameWorkspace({ ctx: ctx.service, input })),
});
