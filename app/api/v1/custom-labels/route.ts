import { apiDoor } from "@/server/http/doors";
import { createCustomLabelOp, listCustomLabelsOp } from "@/server/http/api-v1/ops/labels";

export const dynamic = "force-dynamic";

// GET /api/v1/custom-labels – the workspace's own intent labels
export const GET = apiDoor(listCustomLabelsOp);
// POST /api/v1/custom-labels – add a custom label with a description (what it means, for the labeller)
export const POST = apiDoor(createCustomLabelOp);
