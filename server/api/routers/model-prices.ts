import { z } from "zod";
import {
  deleteModelPrice,
  listModelPrices,
  resolveModelPrice,
  setModelPrice,
  ZModelPriceInput,
} from "@/server/services/metering/manage-model-prices";
import { listUnpricedModels, ZUnpricedModels } from "@/server/services/metering/unpriced-models";
import { permissionProcedure, router, workspaceIdShape, workspaceProcedure } from "../trpc";

const ZModel = z.object({ model: z.string().min(1).max(256) });

export const modelPricesRouter = router({
  /** The workspace's own prices. */
  list: workspaceProcedure.query(({ ctx }) => listModelPrices({ ctx: ctx.service })),
  /** How a call to `model` recorded now is priced: custom, catalogue or unknown (the editor's preview). */
  resolve: workspaceProcedure
    .input(ZModel.extend({ provider: z.string().min(1).max(64).optional() }))
    .query(({ ctx, input }) => resolveModelPrice({ ctx: ctx.service, model: input.model, provider: input.provider })),
  /** Models with unpriced calls in a range, most first (the Overview's "Set price" links). */
  unpriced: workspaceProcedure.input(ZUnpricedModels).query(({ ctx, input }) => listUnpricedModels({ ctx: ctx.service, input })),
  // The price body is strict: it admits workspaceId and model here, and the service gets the body without them.
  set: permissionProcedure("modelPrices.manage")
    .input(ZModelPriceInput.extend({ ...workspaceIdShape, ...ZModel.shape }))
    .mutation(({ ctx, input: { workspaceId: _, model, ...price } }) => setModelPrice({ ctx: ctx.service, model, input: price })),
  delete: permissionProcedure("modelPrices.manage")
    .input(ZModel)
    .mutation(({ ctx, input }) => deleteModelPrice({ ctx: ctx.service, model: input.model })),
});
