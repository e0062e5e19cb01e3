import { ZDeleted, ZListOf, ZSegment } from "@/server/contract/api-v1";
import {
  createSegment,
  deleteSegment,
  getSegment,
  listSegments,
  updateSegment,
  ZCreateSegment,
  ZUpdateSegment,
} from "@/server/services/segments/manage-segments";
import { defineOp } from "../define";

export const listSegmentsOp = defineOp({
  method: "GET",
  path: "/api/v1/segments",
  operationId: "listSegments",
  tag: "Segments",
  scope: "read",
  permission: "workspace.read",
  summary: "Saved filters over end users (tier, org, feature, labels, spend, activity, first seen, blocked)",
  response: ZListOf(ZSegment),
  handler: async ({ ctx }) => ({ data: await listSegments({ ctx }), nextCursor: null }),
});
export const createSegmentOp = defineOp({
  method: "POST",
  path: "/api/v1/segments",
  operationId: "createSegment",
  tag: "Segments",
  scope: "write",
  permission: "segments.manage",
  status: 201,
  summary: "Save a segment; its members are whoever matches the filter at the time of each read",
  body: ZCreateSegment,
  response: ZSegment,
  handler: ({ ctx, body }) => createSegment({ ctx, input: body }),
});
export const getSegmentOp = defineOp({
  method: "GET",
  path: "/api/v1/segments/{id}",
  operationId: "getSegment",
  tag: "Segments",
  scope: "read",
  permission: "workspace.read",
  summary: "One segment",
  response: ZSegment,
  handler: ({ ctx, params }) => getSegment({ ctx, id: params.id }),
});
export const updateSegmentOp = defineOp({
  method: "PATCH",
  path: "/api/v1/segments/{id}",
  operationId: "updateSegment",
  tag: "Segments",
  scope: "write",
  permission: "segments.manage",
  summary: "Rename a segment or replace its filter (rules targeting it follow at once)",
  body: ZUpdateSegment,
  response: ZSegment,
  handler: ({ ctx, params, body }) => updateSegment({ ctx, id: params.id, input: body }),
});
export const deleteSegmentOp = defineOp({
  method: "DELETE",
  path: "/api/v1/segments/{id}",
  operationId: "deleteSegment",
  tag: "Segments",
  scope: "write",
  permission: "segments.manage",
  summary: "Delete a segment (refused with 409 while a rule or label policy targets it)",
  response: ZDeleted,
  handler: ({ ctx, params }) => deleteSegment({ ctx, id: params.id }),
});
