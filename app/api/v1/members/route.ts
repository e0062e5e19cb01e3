import { apiDoor } from "@/server/http/doors";
import { listMembersOp } from "@/server/http/api-v1/ops/admin";

export const dynamic = "force-dynamic";

// GET /api/v1/members – the workspace's members and their roles (admin scope)
export const GET = apiDoor(listMembersOp);
