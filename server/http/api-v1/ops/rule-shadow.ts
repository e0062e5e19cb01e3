import { z } from "zod";
import { ZRulePreview, ZRuleShadow } from "@/server/contract/api-v1";
import { ZCreateRule } from "@/server/services/guardrails/manage-rules";
import { getRuleShadow, previewRule } from "@/server/services/guardrails/rule-shadow";
import { defineOp } from "../define";
import { qInt, qTime } from "../query";

export const getRuleShadowOp = defineOp({
  method: "GET",
  path: "/api/v1/rules/{id}/shadow",
  operationId: "getRuleShadow",
  tag: "Rules",
  scope: "read",
  permission: "workspace.read",
  summary:
    "What a rule in shadow mode would have done: checks evaluated, would-have-denied, end users, the top of them (default: the last 7 days)",
  query: z.object({ from: qTime.optional(), to: qTime.optional(), limit: qInt(1, 100).optional() }),
  response: ZRuleShadow,
  handler: ({ ctx, params, query }) =>
    getRuleShadow({
      ctx,
      id: params.id,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      limit: query.limit,
    }),
});

export const previewRuleOp = defineOp({
  method: "POST",
  path: "/api/v1/rules/preview",
  operationId: "previewRule",
  tag: "Rules",
  scope: "read",
  permission: "workspace.read",
  summary: "Estimate a rule before saving it: replay the last 7 days of usage with it enforced (nothing is saved)",
  body: ZCreateRule,
  response: ZRulePreview,
  handler: ({ ctx, body }) => previewRule({ ctx, input: body }),
});
