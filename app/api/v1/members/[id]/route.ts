import { apiDoor } from "@/server/http/doors";
import { changeMemberRoleOp, removeMemberOp } from "@/server/http/api-v1/ops/admin";

export const dynamic = "force-dynamic";

// PATCH /api/v1/members/{id} – change a member's role (admin scope)
export const PATCH = apiDoor(changeMemberRoleOp);
// DELETE /api/v1/members/{id} – remove a member (admin scope)
export const DELETE = apiDoor(removeMemberOp);
