import { z } from "zod";
import { createBlock, deleteBlock, listBlocks, unblockSubject, ZCreateBlock } from "@/server/services/blocklist/manage-blocklist";
import { createRule, deleteRule, listRules, updateRule, ZCreateRule, ZUpdateRule } from "@/server/services/guardrails/manage-rules";
import { getRuleShadow, previewRule } from "@/server/services/guardrails/rule-shadow";
import { permissionProcedure, router, workspaceIdShape, workspaceProcedure } from "../trpc";

const ZId = z.object({ id: z.string().min(1) });

export const rulesRouter = router({
  list: workspaceProcedure.query(({ ctx }) => listRules({ ctx: ctx.service })),
  // Body schemas are strict: each admits workspaceId here, and the service gets the body without it.
  create: permissionProcedure("rules.manage")
    .input(ZCreateRule.extend(workspaceIdShape))
    .mutation(({ ctx, input: { workspaceId: _, ...rule } }) => createRule({ ctx: ctx.service, input: rule })),
  update: permissionProcedure("rules.manage")
    .input(ZId.extend({ patch: ZUpdateRule }))
    .mutation(({ ctx, input }) => updateRule({ ctx: ctx.service, id: input.id, input: input.patch })),
  delete: permissionProcedure("rules.manage")
    .input(ZId)
    .mutation(({ ctx, input }) => deleteRule({ ctx: ctx.service, id: input.id })),
  /** What a shadow rule would have done (GET /api/v1/rules/{id}/shadow). */
  shadow: workspaceProcedure
    .input(
      ZId.extend({ from: z.coerce.date().optional(), to: z.coerce.date().optional(), limit: z.number().int().min(1).max(100).optional() }),
    )
    .query(({ ctx, input }) => getRuleShadow({ ctx: ctx.service, id: input.id, from: input.from, to: input.to, limit: input.limit })),
  /** A 7-day replay of a rule not yet saved (POST /api/v1/rules/preview). */
  preview: workspaceProcedure
    .input(z.object({ rule: ZCreateRule }))
    .query(({ ctx, input }) => previewRule({ ctx: ctx.service, input: input.rule })),
});

export const blocklistRouter = router({
  list: workspaceProcedure
    .input(z.object({ includeExpired: z.boolean().default(false) }))
    .query(({ ctx, input }) => listBlocks({ ctx: ctx.service, includeExpired: input.includeExpired })),
  create: permissionProcedure("blocklist.manage")
    .input(ZCreateBlock.extend(workspaceIdShape))
    .mutation(({ ctx, input: { workspaceId: _, ...block } }) => createBlock({ ctx: ctx.service, input: block })),
  delete: permissionProcedure("blocklist.manage")
    .input(ZId)
    .mutation(({ ctx, input }) => deleteBlock({ ctx: ctx.service, id: input.id })),
  unblock: permissionProcedure("blocklist.manage")
    .input(z.object({ subjectType: z.enum(["user", "org"]), subjectId: z.string().min(1) }))
    .mutation(({ ctx, input }) => unblockSubject({ ctx: ctx.service, ...input })),
});
