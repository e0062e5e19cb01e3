import { z } from "zod";
import { ZEventDetail, ZEvent, ZListOf, ZPayloadLog } from "@/server/contract/api-v1";
import { exportEventsCsv } from "@/server/services/events/export-events";
import { getEvent } from "@/server/services/events/get-event";
import { listEvents } from "@/server/services/events/list-events";
import { getPayloadLog, listPayloadLogs } from "@/server/services/metering/payload-logs";
import { defineOp } from "../define";
import { qCursor, qInt, qTime } from "../query";

const ZEventQuery = z.object({
  userId: z.string().max(256).optional(),
  orgId: z.string().max(256).optional(),
  feature: z.string().max(256).optional(),
  model: z.string().max(256).optional(),
  label: z.string().max(256).optional(),
  segment: z.string().max(64).optional().describe("only this segment's members (seg_…)"),
  from: qTime.optional(),
  to: qTime.optional(),
});

export const listEventsOp = defineOp({
  method: "GET",
  path: "/api/v1/events",
  operationId: "listEvents",
  tag: "Events",
  scope: "read",
  permission: "workspace.read",
  summary: "Recorded LLM calls, newest first, with filters and cursor pages",
  query: ZEventQuery.extend({ cursor: qCursor.optional(), limit: qInt(1, 200).optional() }),
  response: ZListOf(ZEvent),
  handler: async ({ ctx, query }) => {
    const res = await listEvents({ ctx, input: query });
    return { data: res.rows, nextCursor: res.nextCursor };
  },
});
export const exportEventsOp = defineOp({
  method: "GET",
  path: "/api/v1/events/export",
  operationId: "exportEvents",
  tag: "Events",
  scope: "read",
  permission: "workspace.read",
  csv: true,
  summary: "Events as CSV for the same filters",
  query: ZEventQuery,
  response: z.string(),
  handler: ({ ctx, query }) => exportEventsCsv({ ctx, input: query }),
});
export const getEventOp = defineOp({
  method: "GET",
  path: "/api/v1/events/{id}",
  operationId: "getEvent",
  tag: "Events",
  scope: "read",
  permission: "workspace.read",
  summary: "One event with its stored payloads (when payload logging is on)",
  response: ZEventDetail,
  handler: ({ ctx, params }) => getEvent({ ctx, id: params.id }),
});
export const listLogsOp = defineOp({
  method: "GET",
  path: "/api/v1/logs",
  operationId: "listPayloadLogs",
  tag: "Events",
  scope: "read",
  permission: "workspace.read",
  summary: "Stored request/response payloads, newest first (only written with payload logging on)",
  query: z.object({
    userId: z.string().optional(),
    requestId: z.string().optional(),
    cursor: qCursor.optional(),
    limit: qInt(1, 200).optional(),
  }),
  response: ZListOf(ZPayloadLog),
  handler: ({ ctx, query }) => listPayloadLogs({ ctx, input: query }),
});
export const getLogOp = defineOp({
  method: "GET",
  path: "/api/v1/logs/{id}",
  operationId: "getPayloadLog",
  tag: "Events",
  scope: "read",
  permission: "workspace.read",
  summary: "One stored payload",
  response: ZPayloadLog,
  handler: ({ ctx, params }) => getPayloadLog({ ctx, id: params.id }),
});
