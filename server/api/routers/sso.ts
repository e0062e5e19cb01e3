import { z } from "zod";
import { deleteSso, getSso, serviceProvider, putSso, ZSsoInput } from "@/server/services/sso/config";
import { permissionProcedure, router, workspaceIdShape, workspaceProcedure } from "../trpc";

/** Settings' single sign-on card: the doors onto server/services/sso/config.ts (the REST ones are /api/v1/sso). */
export const ssoRouter = router({
  /** The configuration (null when none) and what to register at the identity provider either way. */
  get: workspaceProcedure.query(async ({ ctx }) => ({
    connection: await getSso({ ctx: ctx.service }),
    serviceProvider: serviceProvider(ctx.service.workspaceId),
  })),
  put: permissionProcedure("sso.manage")
    .input(z.object({ ...workspaceIdShape, config: ZSsoInput }))
    .mutation(({ ctx, input }) => putSso({ ctx: ctx.service, input: input.config })),
  delete: permissionProcedure("sso.manage").mutation(({ ctx }) => deleteSso({ ctx: ctx.service })),
});
