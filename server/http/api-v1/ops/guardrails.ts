import { z } from "zod";
import { ZBlock, ZDeleted, ZListOf, ZRule } from "@/server/contract/api-v1";
import { createBlock, deleteBlock, getBlock, listBlocks, ZCreateBlock } from "@/server/services/blocklist/manage-blocklist";
import {
  createRule,
  deleteRule,
  getRule,
  listRules,
  updateRule,
  ZCreateRule,
  ZUpdateRule,
} from "@/server/services/guardrails/manage-rules";
import { defineOp } from "../define";
import { qBool } from "../query";

export const listRulesOp = defineOp({
  method: "GET",
  path: "/api/v1/rules",
  operationId: "listRules",
  tag: "Rules",
  scope: "read",
  permission: "workspace.read",
  summary: "Every rule of the workspace",
  response: ZListOf(ZRule),
  handler: async ({ ctx }) => ({ data: await listRules({ ctx }), nextCursor: null }),
});
export const createRuleOp = defineOp({
  method: "POST",
  path: "/api/v1/rules",
  operationId: "createRule",
  tag: "Rules",
  scope: "write",
  permission: "rules.manage",
  status: 201,
  summary: "Create a limit: scope, metric, window, limit and action",
  body: ZCreateRule,
  response: ZRule,
  handler: ({ ctx, body }) => createRule({ ctx, input: body }),
});
export const getRuleOp = defineOp({
  method: "GET",
  path: "/api/v1/rules/{id}",
  operationId: "getRule",
  tag: "Rules",
  scope: "read",
  permission: "workspace.read",
  summary: "One rule",
  response: ZRule,
  handler: ({ ctx, params }) => getRule({ ctx, id: params.id }),
});
export const updateRuleOp = defineOp({
  method: "PATCH",
  path: "/api/v1/rules/{id}",
  operationId: "updateRule",
  tag: "Rules",
  scope: "write",
  permission: "rules.manage",
  summary: "Change some fields of a rule (enable/disable with `enabled`)",
  body: ZUpdateRule,
  response: ZRule,
  handler: ({ ctx, params, body }) => updateRule({ ctx, id: params.id, input: body }),
});
export const deleteRuleOp = defineOp({
  method: "DELETE",
  path: "/api/v1/rules/{id}",
  operationId: "deleteRule",
  tag: "Rules",
  scope: "write",
  permission: "rules.manage",
  summary: "Delete a rule",
  response: ZDeleted,
  handler: ({ ctx, params }) => deleteRule({ ctx, id: params.id }),
});

export const listBlocklistOp = defineOp({
  method: "GET",
  path: "/api/v1/blocklist",
  operationId: "listBlocklist",
  tag: "Blocklist",
  scope: "read",
  permission: "workspace.read",
  summary: "Blocklist entries (active ones; includeExpired=true for the history)",
  query: z.object({ includeExpired: qBool.optional() }),
  response: ZListOf(ZBlock),
  handler: async ({ ctx, query }) => ({ data: await listBlocks({ ctx, includeExpired: query.includeExpired ?? false }), nextCursor: null }),
});
export const createBlockOp = defineOp({
  method: "POST",
  path: "/api/v1/blocklist",
  operationId: "createBlock",
  tag: "Blocklist",
  scope: "write",
  permission: "blocklist.manage",
  status: 201,
  summary: "Block an end user (userId) or an org (orgId), until expiresAt or until removed",
  body: ZCreateBlock,
  response: ZBlock,
  handler: ({ ctx, body }) => createBlock({ ctx, input: body }),
});
export const getBlockOp = defineOp({
  method: "GET",
  path: "/api/v1/blocklist/{id}",
  operationId: "getBlock",
  tag: "Blocklist",
  scope: "read",
  permission: "workspace.read",
  summary: "One blocklist entry",
  response: ZBlock,
  handler: ({ ctx, params }) => getBlock({ ctx, id: params.id }),
});
export const deleteBlockOp = defineOp({
  method: "DELETE",
  path: "/api/v1/blocklist/{id}",
  operationId: "deleteBlock",
  tag: "Blocklist",
  scope: "write",
  permission: "blocklist.manage",
  summary: "Unblock: remove the entry",
  response: ZDeleted,
  handler: ({ ctx, params }) => deleteBlock({ ctx, id: params.id }),
});
