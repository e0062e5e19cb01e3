import { z } from "zod";
import { createCheckoutSession, createPortalSession, ZCheckout } from "@/server/services/billing/checkout";
import { getBillingOverview, getQuota, setPlanByHand, ZSetPlan } from "@/server/services/billing/manage-billing";
import { permissionProcedure, router, workspaceProcedure } from "../trpc";

export const billingRouter = router({
  overview: workspaceProcedure.query(({ ctx }) => getBillingOverview({ ctx: ctx.service })),
  /** Past the Free plan's cap? Read by the banner on every dashboard page. */
  quota: workspaceProcedure.query(({ ctx }) => getQuota({ ctx: ctx.service })),
  checkout: permissionProcedure("billing.manage")
    .input(ZCheckout)
    .mutation(({ ctx, input }) => createCheckoutSession({ ctx: ctx.service, input })),
  portal: permissionProcedure("billing.manage")
    .input(z.object({ returnUrl: z.url().optional() }))
    .mutation(({ ctx, input }) => createPortalSession({ ctx: ctx.service, input })),
  setPlan: permissionProcedure("billing.manage")
    .input(ZSetPlan)
    .mutation(({ ctx, input }) => setPlanByHand({ ctx: ctx.service, input })),
});
