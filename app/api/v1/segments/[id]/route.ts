import { apiDoor } from "@/server/http/doors";
import { deleteSegmentOp, getSegmentOp, updateSegmentOp } from "@/server/http/api-v1/ops/segments";

export const dynamic = "force-dynamic";

// GET /api/v1/segments/{id} – one segment
export const GET = apiDoor(getSegmentOp);
// PATCH /api/v1/segments/{id} – rename it or replace its filter
export const PATCH = apiDoor(updateSegmentOp);
// DELETE /api/v1/segments/{id} – delete it (409 while a rule or label policy targets it)
export const DELETE = apiDoor(deleteSegmentOp);
