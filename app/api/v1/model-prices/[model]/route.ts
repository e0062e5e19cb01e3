import { apiDoor } from "@/server/http/doors";
import { deleteModelPriceOp, setModelPriceOp } from "@/server/http/api-v1/ops/model-prices";

export const dynamic = "force-dynamic";

// PUT /api/v1/model-prices/{model} – set a model's custom price (wins over the catalogue from now on)
export const PUT = apiDoor(setModelPriceOp);
// DELETE /api/v1/model-prices/{model} – remove it: later calls use the catalogue's price, or none
export const DELETE = apiDoor(deleteModelPriceOp);
