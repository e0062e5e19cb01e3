import { z } from "zod";
import { ZAlert, ZChannel, ZDeleted, ZDelivery, ZListOf } from "@/server/contract/api-v1";
import {
  createAlert,
  deleteAlert,
  getAlert,
  listAlerts,
  updateAlert,
  ZCreateAlert,
  ZUpdateAlert,
} from "@/server/services/alerts/manage-alerts";
import {
  createChannel,
  deleteChannel,
  getChannel,
  listChannels,
  listDeliveries,
  sendTestMessage,
  toDelivery,
  updateChannel,
  ZChannelInput,
  ZUpdateChannel,
} from "@/server/services/alerts/manage-channels";
import { defineOp } from "../define";
import { qInt } from "../query";

export const listChannelsOp = defineOp({
  method: "GET",
  path: "/api/v1/alert-channels",
  operationId: "listAlertChannels",
  tag: "Alerts",
  scope: "read",
  permission: "workspace.read",
  summary: "E-mail, Slack and webhook channels",
  response: ZListOf(ZChannel),
  handler: async ({ ctx }) => ({ data: await listChannels({ ctx }), nextCursor: null }),
});
export const createChannelOp = defineOp({
  method: "POST",
  path: "/api/v1/alert-channels",
  operationId: "createAlertChannel",
  tag: "Alerts",
  scope: "write",
  permission: "alerts.manage",
  status: 201,
  summary: "Add a channel; a webhook's signing secret is in this answer only",
  body: ZChannelInput,
  response: ZChannel,
  handler: ({ ctx, body }) => createChannel({ ctx, input: body }),
});
export const getChannelOp = defineOp({
  method: "GET",
  path: "/api/v1/alert-channels/{id}",
  operationId: "getAlertChannel",
  tag: "Alerts",
  scope: "read",
  permission: "workspace.read",
  summary: "One channel",
  response: ZChannel,
  handler: ({ ctx, params }) => getChannel({ ctx, id: params.id }),
});
export const updateChannelOp = defineOp({
  method: "PATCH",
  path: "/api/v1/alert-channels/{id}",
  operationId: "updateAlertChannel",
  tag: "Alerts",
  scope: "write",
  permission: "alerts.manage",
  summary: "Enable or disable a channel, or set a webhook's event subscription (events: null for every type)",
  body: ZUpdateChannel,
  response: ZChannel,
  handler: ({ ctx, params, body }) => updateChannel({ ctx, id: params.id, input: body }),
});
export const deleteChannelOp = defineOp({
  method: "DELETE",
  path: "/api/v1/alert-channels/{id}",
  operationId: "deleteAlertChannel",
  tag: "Alerts",
  scope: "write",
  permission: "alerts.manage",
  summary: "Delete a channel",
  response: ZDeleted,
  handler: ({ ctx, params }) => deleteChannel({ ctx, id: params.id }),
});
export const testChannelOp = defineOp({
  method: "POST",
  path: "/api/v1/alert-channels/{id}/test",
  operationId: "testAlertChannel",
  tag: "Alerts",
  scope: "write",
  permission: "alerts.manage",
  summary: "Send a test message through a channel; answers the delivery with the receiver's response",
  body: z.strictObject({}).optional(),
  response: ZDelivery,
  handler: async ({ ctx, params }) => toDelivery(await sendTestMessage({ ctx, id: params.id })),
});
export const listDeliveriesOp = defineOp({
  method: "GET",
  path: "/api/v1/alert-deliveries",
  operationId: "listAlertDeliveries",
  tag: "Alerts",
  scope: "read",
  permission: "workspace.read",
  summary: "The delivery log: every alert and test message sent, with the receiver's answer",
  query: z.object({ channelId: z.string().optional(), limit: qInt(1, 500).optional() }),
  response: ZListOf(ZDelivery),
  handler: async ({ ctx, query }) => ({
    data: (await listDeliveries({ ctx, channelId: query.channelId, limit: query.limit })).map(toDelivery),
    nextCursor: null,
  }),
});

export const listAlertsOp = defineOp({
  method: "GET",
  path: "/api/v1/alerts",
  operationId: "listAlerts",
  tag: "Alerts",
  scope: "read",
  permission: "workspace.read",
  summary: "Threshold alerts",
  response: ZListOf(ZAlert),
  handler: async ({ ctx }) => ({ data: await listAlerts({ ctx }), nextCursor: null }),
});
export const createAlertOp = defineOp({
  method: "POST",
  path: "/api/v1/alerts",
  operationId: "createAlert",
  tag: "Alerts",
  scope: "write",
  permission: "alerts.manage",
  status: 201,
  summary: "Alert at percentages of a rule's limit (ruleId + percentages) or at absolute values (scope, metric, window, values)",
  body: ZCreateAlert,
  response: ZAlert,
  handler: ({ ctx, body }) => createAlert({ ctx, input: body }),
});
export const getAlertOp = defineOp({
  method: "GET",
  path: "/api/v1/alerts/{id}",
  operationId: "getAlert",
  tag: "Alerts",
  scope: "read",
  permission: "workspace.read",
  summary: "One alert",
  response: ZAlert,
  handler: ({ ctx, params }) => getAlert({ ctx, id: params.id }),
});
export const updateAlertOp = defineOp({
  method: "PATCH",
  path: "/api/v1/alerts/{id}",
  operationId: "updateAlert",
  tag: "Alerts",
  scope: "write",
  permission: "alerts.manage",
  summary: "Rename, re-route or enable/disable an alert",
  body: ZUpdateAlert,
  response: ZAlert,
  handler: ({ ctx, params, body }) => updateAlert({ ctx, id: params.id, input: body }),
});
export const deleteAlertOp = defineOp({
  method: "DELETE",
  path: "/api/v1/alerts/{id}",
  operationId: "deleteAlert",
  tag: "Alerts",
  scope: "write",
  permission: "alerts.manage",
  summary: "Delete an alert",
  response: ZDeleted,
  handler: ({ ctx, params }) => deleteAlert({ ctx, id: params.id }),
});
