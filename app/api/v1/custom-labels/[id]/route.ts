import { apiDoor } from "@/server/http/doors";
import { deleteCustomLabelOp, updateCustomLabelOp } from "@/server/http/api-v1/ops/labels";

export const dynamic = "force-dynamic";

// PATCH /api/v1/custom-labels/{id} – change a custom label's description
export const PATCH = apiDoor(updateCustomLabelOp);
// DELETE /api/v1/custom-labels/{id} – delete a custom label
export const DELETE = apiDoor(deleteCustomLabelOp);
