import { z } from "zod";
import {
  ZCustomLabelOut,
  ZDeleted,
  ZLabelPolicy,
  ZLabelsPerDayOut,
  ZListOf,
  ZLlmLabellingCostOut,
  ZPolicyShadow,
} from "@/server/contract/api-v1";
import { getLabelPolicyShadow } from "@/server/services/intent/policy-shadow";
import { getLlmLabellingCost } from "@/server/services/intent/track-llm-cost";
import {
  createCustomLabel,
  deleteCustomLabel,
  listCustomLabels,
  updateCustomLabel,
  ZCustomLabel,
} from "@/server/services/intent/manage-custom-labels";
import {
  createLabelPolicy,
  deleteLabelPolicy,
  getLabelPolicy,
  listLabelPolicies,
  updateLabelPolicy,
  ZCreateLabelPolicy,
  ZUpdateLabelPolicy,
} from "@/server/services/intent/manage-label-policies";
import { countLabelsPerDay } from "@/server/services/intent/query-labels";
import { defineOp } from "../define";
import { qInt, qTime, range } from "../query";

export const getLabelsPerDay = defineOp({
  method: "GET",
  path: "/api/v1/usage/labels/daily",
  operationId: "getLabelsPerDay",
  tag: "Usage",
  scope: "read",
  permission: "workspace.read",
  summary: "Events per intent label per UTC day, optionally for one end user",
  query: z.object({ from: qTime.optional(), to: qTime.optional(), userId: z.string().max(256).optional() }),
  response: ZLabelsPerDayOut,
  handler: async ({ ctx, query }) => ({ data: await countLabelsPerDay({ ctx, input: { ...range(query), userId: query.userId } }) }),
});

export const getLlmLabellingCostOp = defineOp({
  method: "GET",
  path: "/api/v1/usage/labels/llm-cost",
  operationId: "getLlmLabellingCost",
  tag: "Usage",
  scope: "read",
  permission: "workspace.read",
  summary: "What the LLM labeller cost in a range of UTC days (default: this month): calls, tokens and nano-dollars, per model",
  query: z.object({ from: qTime.optional(), to: qTime.optional() }),
  response: ZLlmLabellingCostOut,
  handler: ({ ctx, query }) => getLlmLabellingCost({ ctx, input: query }),
});

export const listPoliciesOp = defineOp({
  method: "GET",
  path: "/api/v1/label-policies",
  operationId: "listLabelPolicies",
  tag: "Labels",
  scope: "read",
  permission: "workspace.read",
  summary: "Label policies: when an end user gets a label N times within a window, block, throttle, require re-auth or alert",
  response: ZListOf(ZLabelPolicy),
  handler: async ({ ctx }) => ({ data: await listLabelPolicies({ ctx }), nextCursor: null }),
});
export const createPolicyOp = defineOp({
  method: "POST",
  path: "/api/v1/label-policies",
  operationId: "createLabelPolicy",
  tag: "Labels",
  scope: "write",
  permission: "labels.manage",
  status: 201,
  summary: "Create a label policy",
  body: ZCreateLabelPolicy,
  response: ZLabelPolicy,
  handler: ({ ctx, body }) => createLabelPolicy({ ctx, input: body }),
});
export const getPolicyOp = defineOp({
  method: "GET",
  path: "/api/v1/label-policies/{id}",
  operationId: "getLabelPolicy",
  tag: "Labels",
  scope: "read",
  permission: "workspace.read",
  summary: "One label policy",
  response: ZLabelPolicy,
  handler: ({ ctx, params }) => getLabelPolicy({ ctx, id: params.id }),
});
export const getPolicyShadowOp = defineOp({
  method: "GET",
  path: "/api/v1/label-policies/{id}/shadow",
  operationId: "getLabelPolicyShadow",
  tag: "Labels",
  scope: "read",
  permission: "workspace.read",
  summary:
    "What a label policy in shadow mode would have done: labels it watched, would-have firings, end users (default: the last 7 days)",
  query: z.object({ from: qTime.optional(), to: qTime.optional(), limit: qInt(1, 100).optional() }),
  response: ZPolicyShadow,
  handler: ({ ctx, params, query }) => getLabelPolicyShadow({ ctx, id: params.id, input: query }),
});
export const updatePolicyOp = defineOp({
  method: "PATCH",
  path: "/api/v1/label-policies/{id}",
  operationId: "updateLabelPolicy",
  tag: "Labels",
  scope: "write",
  permission: "labels.manage",
  summary: "Change a label policy (enable it with `enabled`)",
  body: ZUpdateLabelPolicy,
  response: ZLabelPolicy,
  handler: ({ ctx, params, body }) => updateLabelPolicy({ ctx, id: params.id, input: body }),
});
export const deletePolicyOp = defineOp({
  method: "DELETE",
  path: "/api/v1/label-policies/{id}",
  operationId: "deleteLabelPolicy",
  tag: "Labels",
  scope: "write",
  permission: "labels.manage",
  summary: "Delete a label policy",
  response: ZDeleted,
  handler: ({ ctx, params }) => deleteLabelPolicy({ ctx, id: params.id }),
});

export const listCustomLabelsOp = defineOp({
  method: "GET",
  path: "/api/v1/custom-labels",
  operationId: "listCustomLabels",
  tag: "Labels",
  scope: "read",
  permission: "workspace.read",
  summary: "The workspace's own intent labels",
  response: ZListOf(ZCustomLabelOut),
  handler: async ({ ctx }) => ({ data: await listCustomLabels({ ctx }), nextCursor: null }),
});
export const createCustomLabelOp = defineOp({
  method: "POST",
  path: "/api/v1/custom-labels",
  operationId: "createCustomLabel",
  tag: "Labels",
  scope: "write",
  permission: "labels.manage",
  status: 201,
  summary: "Add a custom label with a description (what it means, for the labeller)",
  body: ZCustomLabel,
  response: ZCustomLabelOut,
  handler: ({ ctx, body }) => createCustomLabel({ ctx, input: body }),
});
export const updateCustomLabelOp = defineOp({
  method: "PATCH",
  path: "/api/v1/custom-labels/{id}",
  operationId: "updateCustomLabel",
  tag: "Labels",
  scope: "write",
  permission: "labels.manage",
  summary: "Change a custom label's description",
  body: z.strictObject({ description: z.string().trim().min(3).max(500) }),
  response: ZCustomLabelOut,
  handler: ({ ctx, params, body }) => updateCustomLabel({ ctx, id: params.id, input: body }),
});
export const deleteCustomLabelOp = defineOp({
  method: "DELETE",
  path: "/api/v1/custom-labels/{id}",
  operationId: "deleteCustomLabel",
  tag: "Labels",
  scope: "write",
  permission: "labels.manage",
  summary: "Delete a custom label",
  response: ZDeleted,
  handler: ({ ctx, params }) => deleteCustomLabel({ ctx, id: params.id }),
});
