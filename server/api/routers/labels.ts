import { z } from "zod";
import {
  createCustomLabel,
  deleteCustomLabel,
  listCustomLabels,
  updateCustomLabel,
  ZCustomLabel,
} from "@/server/services/intent/manage-custom-labels";
import {
  createLabelPolicy,
  DEFAULT_LABEL_POLICIES,
  deleteLabelPolicy,
  listLabelPolicies,
  updateLabelPolicy,
  ZCreateLabelPolicy,
  ZUpdateLabelPolicy,
} from "@/server/services/intent/manage-label-policies";
import { getLabelPolicyShadow, ZPolicyShadowQuery } from "@/server/services/intent/policy-shadow";
import {
  countLabelsPerDay,
  getConversationLabels,
  getEndUserLabels,
  ZConversationLabels,
  ZEndUserLabels,
  ZLabelsPerDay,
} from "@/server/services/intent/query-labels";
import { getLlmLabellingCost, ZLlmLabellingCost } from "@/server/services/intent/track-llm-cost";
import { permissionProcedure, router, workspaceIdShape, workspaceProcedure } from "../trpc";

const ZId = z.object({ id: z.string().min(1) });

export const labelsRouter = router({
  /** Events per label per UTC day (usage view). */
  perDay: workspaceProcedure.input(ZLabelsPerDay).query(({ ctx, input }) => countLabelsPerDay({ ctx: ctx.service, input })),
  endUser: workspaceProcedure.input(ZEndUserLabels).query(({ ctx, input }) => getEndUserLabels({ ctx: ctx.service, input })),
  conversation: workspaceProcedure.input(ZConversationLabels).query(({ ctx, input }) => getConversationLabels({ ctx: ctx.service, input })),
  /** The LLM labeller's calls, tokens and cost (this month by default); `configured: false` without an LLM. */
  llmCost: workspaceProcedure.input(ZLlmLabellingCost).query(({ ctx, input }) => getLlmLabellingCost({ ctx: ctx.service, input })),
  custom: router({
    list: workspaceProcedure.query(({ ctx }) => listCustomLabels({ ctx: ctx.service })),
    // Body schemas are strict: each admits workspaceId here, and the service gets the body without it.
    create: permissionProcedure("labels.manage")
      .input(ZCustomLabel.extend(workspaceIdShape))
      .mutation(({ ctx, input: { workspaceId: _, ...label } }) => createCustomLabel({ ctx: ctx.service, input: label })),
    update: permissionProcedure("labels.manage")
      .input(ZId.extend({ description: z.string() }))
      .mutation(({ ctx, input }) => updateCustomLabel({ ctx: ctx.service, id: input.id, input: { description: input.description } })),
    delete: permissionProcedure("labels.manage")
      .input(ZId)
      .mutation(({ ctx, input }) => deleteCustomLabel({ ctx: ctx.service, id: input.id })),
  }),
  policies: router({
    list: workspaceProcedure.query(({ ctx }) => listLabelPolicies({ ctx: ctx.service })),
    /** The shipped defaults, to start a new policy from. */
    templates: workspaceProcedure.query(() => DEFAULT_LABEL_POLICIES),
    create: permissionProcedure("labels.manage")
      .input(ZCreateLabelPolicy.extend(workspaceIdShape))
      .mutation(({ ctx, input: { workspaceId: _, ...policy } }) => createLabelPolicy({ ctx: ctx.service, input: policy })),
    update: permissionProcedure("labels.manage")
      .input(ZId.extend({ patch: ZUpdateLabelPolicy }))
      .mutation(({ ctx, input }) => updateLabelPolicy({ ctx: ctx.service, id: input.id, input: input.patch })),
    delete: permissionProcedure("labels.manage")
      .input(ZId)
      .mutation(({ ctx, input }) => deleteLabelPolicy({ ctx: ctx.service, id: input.id })),
    /** What a shadow policy would have done over a range. */
    shadow: workspaceProcedure
      .input(ZId.extend(ZPolicyShadowQuery.shape))
      .query(({ ctx, input: { id, ...range } }) => getLabelPolicyShadow({ ctx: ctx.service, id, input: range })),
  }),
});
