import { z } from "zod";
import { exportAuditLogsCsv } from "@/server/services/audit/export-audit-logs";
import { auditLogFacets, listAuditLogs, ZAuditFilters, ZListAuditLogs } from "@/server/services/audit/list-audit-logs";
import { router, workspaceIdShape, workspaceProcedure } from "../trpc";

// The filter schemas are strict: they admit workspaceId here, and `direction`, which an infinite query sends with its cursor.
const ZListInput = ZListAuditLogs.extend({ ...workspaceIdShape, direction: z.enum(["forward", "backward"]).optional() });

// Every member reads the log, as they read events.
export const auditLogsRouter = router({
  list: workspaceProcedure
    .input(ZListInput)
    .query(({ ctx, input: { workspaceId: _, direction: __, ...q } }) => listAuditLogs({ ctx: ctx.service, input: q })),
  /** The actions, target types and actors the filters offer. */
  facets: workspaceProcedure.query(({ ctx }) => auditLogFacets({ ctx: ctx.service })),
  exportCsv: workspaceProcedure
    .input(ZAuditFilters.extend(workspaceIdShape))
    .query(({ ctx, input: { workspaceId: _, ...f } }) => exportAuditLogsCsv({ ctx: ctx.service, input: f })),
});
