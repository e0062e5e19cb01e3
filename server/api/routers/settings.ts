import { retentionDays } from "@/server/services/maintenance/retention";
import { getWorkspace, updateWorkspaceSettings, ZWorkspaceSettings } from "@/server/services/workspaces/workspaces";
import { permissionProcedure, router, workspaceIdShape, workspaceProcedure } from "../trpc";

export const settingsRouter = router({
  get: workspaceProcedure.query(async ({ ctx }) => {
    const w = await getWorkspace({ ctx: ctx.service });
    return {
      id: w.id,
      name: w.name,
      plan: w.plan,
      payloadLogging: w.payloadLogging,
      redactPayloads: w.redactPayloads,
      usagePolicy: w.usagePolicy,
      llmLabelRawText: w.llmLabelRawText,
      /** Days of events and payloads kept: the plan's, or the workspace's own (enterprise). */
      retentionDays: retentionDays(w.plan, w.retentionDays),
      customRetention: w.retentionDays !== null,
      role: ctx.role,
    };
  }),
  update: permissionProcedure("workspace.settings")
    // The body schema is strict: it admits workspaceId here, and the service gets the body without it.
    .input(ZWorkspaceSettings.extend(workspaceIdShape))
    .mutation(async ({ ctx, input: { workspaceId: _, ...settings } }) => {
      const w = await updateWorkspaceSettings({ ctx: ctx.service, input: settings });
      return {
        payloadLogging: w.payloadLogging,
        redactPayloads: w.redactPayloads,
        usagePolicy: w.usagePolicy,
        llmLabelRawText: w.llmLabelRawText,
        retentionDays: retentionDays(w.plan, w.retentionDays),
      };
    }),
});
