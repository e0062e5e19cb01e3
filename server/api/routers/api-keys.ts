import { z } from "zod";
import { createApiKey, listApiKeys, revokeApiKey, ZCreateApiKey } from "@/server/services/api-keys/manage-api-keys";
import { adminProcedure, router, workspaceProcedure } from "../trpc";

export const apiKeysRouter = router({
  list: workspaceProcedure.query(({ ctx }) => listApiKeys({ ctx: ctx.service })),
  create: adminProcedure.input(ZCreateApiKey).mutation(({ ctx, input }) => createApiKey({ ctx: ctx.service, input })),
  revoke: adminProcedure
    .input(z.object({ id: z.string().min(1) }))
    .mutation(({ ctx, input }) => revokeApiKey({ ctx: ctx.service, input })),
});
