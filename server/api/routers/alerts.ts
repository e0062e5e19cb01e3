import { z } from "zod";
import { createAlert, deleteAlert, listAlerts, ZCreateAlert } from "@/server/services/alerts/manage-alerts";
import {
  createChannel,
  deleteChannel,
  listChannels,
  listDeliveries,
  sendTestMessage,
  setChannelEnabled,
  ZChannelInput,
} from "@/server/services/alerts/manage-channels";
import { permissionProcedure, router, workspaceProcedure } from "../trpc";

const ZId = z.object({ id: z.string().min(1) });

export const alertsRouter = router({
  list: workspaceProcedure.query(({ ctx }) => listAlerts({ ctx: ctx.service })),
  create: permissionProcedure("alerts.manage")
    .input(z.object({ alert: ZCreateAlert }))
    .mutation(({ ctx, input }) => createAlert({ ctx: ctx.service, input: input.alert })),
  delete: permissionProcedure("alerts.manage")
    .input(ZId)
    .mutation(({ ctx, input }) => deleteAlert({ ctx: ctx.service, id: input.id })),
  channels: workspaceProcedure.query(({ ctx }) => listChannels({ ctx: ctx.service })),
  createChannel: permissionProcedure("alerts.manage")
    .input(z.object({ channel: ZChannelInput }))
    .mutation(({ ctx, input }) => createChannel({ ctx: ctx.service, input: input.channel })),
  setChannelEnabled: permissionProcedure("alerts.manage")
    .input(ZId.extend({ enabled: z.boolean() }))
    .mutation(({ ctx, input }) => setChannelEnabled({ ctx: ctx.service, id: input.id, enabled: input.enabled })),
  deleteChannel: permissionProcedure("alerts.manage")
    .input(ZId)
    .mutation(({ ctx, input }) => deleteChannel({ ctx: ctx.service, id: input.id })),
  testChannel: permissionProcedure("alerts.manage")
    .input(ZId)
    .mutation(({ ctx, input }) => sendTestMessage({ ctx: ctx.service, id: input.id })),
  deliveries: workspaceProcedure
    .input(z.object({ channelId: z.string().optional(), limit: z.number().int().min(1).max(500).default(100) }))
    .query(({ ctx, input }) => listDeliveries({ ctx: ctx.service, channelId: input.channelId, limit: input.limit })),
});
