import { z } from "zod";
import { createApiKey, listApiKeys, revokeApiKey, ZCreateApiKey } from "@/server/services/api-keys/manage-api-keys";
import { permissionProcedure, router, workspaceIdShape, workspaceProcedure } from "../trpc";

export const apiKeysRouter = router({
  list: workspaceProcedure.query(({ ctx }) => listApiKeys({ ctx: ctx.service })),
  // The body schema is strict: it admits workspaceId here, and the service gets the body without it.
  create: permissionProcedure("apiKeys.manage")
    .input(ZCreateApiKey.extend(workspaceIdShape))
    .mutation(({ ctx, input: { workspaceId: _, ...key } }) => createApiKey({ ctx: ctx.service, input: key })),
  revoke: permissionProcedure("apiKeys.manage")
    .input(z.object({ id: z.string().min(1) }))
    .mutation(({ ctx, input }) => revokeApiKey({ ctx: ctx.service, input })),
});
