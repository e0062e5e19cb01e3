import { apiDoor } from "@/server/http/doors";
import { getWorkspaceOp, updateWorkspaceOp } from "@/server/http/api-v1/ops/keys";

export const dynamic = "force-dynamic";

// GET /api/v1/workspace – the key's workspace: plan and settings
export const GET = apiDoor(getWorkspaceOp);
// PATCH /api/v1/workspace – name, payload logging, redaction, usage policy, LLM raw text
export const PATCH = apiDoor(updateWorkspaceOp);
