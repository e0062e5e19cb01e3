import { toHandler } from "@/server/http/api-v1/handler";
import { getWorkspaceOp, updateWorkspaceOp } from "@/server/http/api-v1/ops/keys";

export const dynamic = "force-dynamic";

// GET /api/v1/workspace – the key's workspace: plan and settings
export const GET = toHandler(getWorkspaceOp);
// PATCH /api/v1/workspace – payload logging, redaction, usage policy
export const PATCH = toHandler(updateWorkspaceOp);
