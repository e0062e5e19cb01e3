import { apiDoor } from "@/server/http/doors";
import { listModelPricesOp } from "@/server/http/api-v1/ops/model-prices";

export const dynamic = "force-dynamic";

// GET /api/v1/model-prices – the custom model prices, or (?model=) how one model is priced now
export const GET = apiDoor(listModelPricesOp);
