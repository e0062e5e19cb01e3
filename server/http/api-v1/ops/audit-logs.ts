import { z } from "zod";
import { ZAuditLog, ZListOf } from "@/server/contract/api-v1";
import { exportAuditLogsCsv } from "@/server/services/audit/export-audit-logs";
import { AUDIT_ACTOR_TYPES, listAuditLogs } from "@/server/services/audit/list-audit-logs";
import { defineOp } from "../define";
import { qCursor, qInt, qTime } from "../query";

// Strict: a misspelt filter is a 400, not the whole log.
const ZAuditQuery = z.strictObject({
  action: z.string().max(128).optional().describe("an action (rule.create), or every action of a kind (rule.*)"),
  actorType: z.enum(AUDIT_ACTOR_TYPES).optional(),
  actorId: z.string().max(256).optional().describe("a member's or API key's id"),
  targetType: z.string().max(256).optional(),
  targetId: z.string().max(256).optional(),
  from: qTime.optional().describe("from this instant (inclusive)"),
  to: qTime.optional().describe("to this instant (exclusive)"),
});

// Read like events and logs: every member sees the audit log in the dashboard, so a `read` key may too.
export const listAuditLogsOp = defineOp({
  method: "GET",
  path: "/api/v1/audit-logs",
  operationId: "listAuditLogs",
  tag: "Audit log",
  scope: "read",
  permission: "workspace.read",
  summary: "Every change made in the workspace (dashboard, API, automations), newest first, with filters and cursor pages",
  query: ZAuditQuery.extend({ cursor: qCursor.optional(), limit: qInt(1, 200).optional() }),
  response: ZListOf(ZAuditLog),
  handler: ({ ctx, query }) => listAuditLogs({ ctx, input: query }),
});
export const exportAuditLogsOp = defineOp({
  method: "GET",
  path: "/api/v1/audit-logs/export",
  operationId: "exportAuditLogs",
  tag: "Audit log",
  scope: "read",
  permission: "workspace.read",
  csv: true,
  summary: "The audit log as CSV for the same filters",
  query: ZAuditQuery,
  response: z.string(),
  handler: ({ ctx, query }) => exportAuditLogsCsv({ ctx, input: query }),
});
