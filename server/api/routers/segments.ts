import {
  countSegmentMembers,
  createSegment,
  deleteSegment,
  getSegment,
  listSegments,
  updateSegment,
  ZCreateSegment,
  ZSegmentFilter,
  ZSegmentId,
  ZUpdateSegment,
} from "@/server/services/segments/manage-segments";
import { permissionProcedure, router, workspaceIdShape, workspaceProcedure } from "../trpc";
import { z } from "zod";

export const segmentsRouter = router({
  list: workspaceProcedure.query(({ ctx }) => listSegments({ ctx: ctx.service })),
  get: workspaceProcedure.input(ZSegmentId).query(({ ctx, input }) => getSegment({ ctx: ctx.service, id: input.id })),
  /** How many end users a filter matches now (the form's preview). */
  count: workspaceProcedure
    .input(z.object({ filter: ZSegmentFilter }))
    .query(({ ctx, input }) => countSegmentMembers({ ctx: ctx.service, filter: input.filter })),
  // Body schemas are strict: each admits workspaceId here, and the service gets the body without it.
  create: permissionProcedure("segments.manage")
    .input(ZCreateSegment.extend(workspaceIdShape))
    .mutation(({ ctx, input: { workspaceId: _, ...segment } }) => createSegment({ ctx: ctx.service, input: segment })),
  update: permissionProcedure("segments.manage")
    .input(ZSegmentId.extend({ patch: ZUpdateSegment }))
    .mutation(({ ctx, input }) => updateSegment({ ctx: ctx.service, id: input.id, input: input.patch })),
  delete: permissionProcedure("segments.manage")
    .input(ZSegmentId)
    .mutation(({ ctx, input }) => deleteSegment({ ctx: ctx.service, id: input.id })),
});
