import { z } from "zod";
import { ZListOf, ZModelPriceDeleted, ZModelPriceOut, ZResolvedModelPrice } from "@/server/contract/api-v1";
import {
  deleteModelPrice,
  listModelPrices,
  modelFromPath,
  resolveModelPrice,
  setModelPrice,
  ZModelPriceInput,
} from "@/server/services/metering/manage-model-prices";
import { defineOp } from "../define";

export const listModelPricesOp = defineOp({
  method: "GET",
  path: "/api/v1/model-prices",
  operationId: "listModelPrices",
  tag: "Model prices",
  scope: "read",
  permission: "workspace.read",
  summary:
    "The workspace's custom model prices (USD per million tokens); with `model`, how a call to that model recorded now is priced: custom, catalogue or unknown",
  query: z.object({
    model: z.string().min(1).max(256).optional().describe("resolve this model instead of listing"),
    provider: z.string().min(1).max(64).optional().describe("with `model`: the provider, as /sdk/record takes it"),
  }),
  response: z.union([ZListOf(ZModelPriceOut), ZResolvedModelPrice]),
  handler: async ({ ctx, query }) =>
    query.model !== undefined
      ? resolveModelPrice({ ctx, model: query.model, provider: query.provider })
      : { data: await listModelPrices({ ctx }), nextCursor: null },
});

export const setModelPriceOp = defineOp({
  method: "PUT",
  path: "/api/v1/model-prices/{model}",
  operationId: "setModelPrice",
  tag: "Model prices",
  scope: "write",
  permission: "modelPrices.manage",
  summary: "Set a model's price (percent-encode a `/` in the name); it wins over the catalogue for calls recorded from now on",
  body: ZModelPriceInput,
  response: ZModelPriceOut,
  handler: ({ ctx, params, body }) => setModelPrice({ ctx, model: modelFromPath(params.model), input: body }),
});

export const deleteModelPriceOp = defineOp({
  method: "DELETE",
  path: "/api/v1/model-prices/{model}",
  operationId: "deleteModelPrice",
  tag: "Model prices",
  scope: "write",
  permission: "modelPrices.manage",
  summary: "Remove a model's custom price: calls recorded from now on use the catalogue's, or are unpriced",
  response: ZModelPriceDeleted,
  handler: ({ ctx, params }) => deleteModelPrice({ ctx, model: modelFromPath(params.model) }),
});
