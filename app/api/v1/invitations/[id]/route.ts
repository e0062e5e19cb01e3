import { apiDoor } from "@/server/http/doors";
import { revokeInvitationOp } from "@/server/http/api-v1/ops/admin";

export const dynamic = "force-dynamic";

// DELETE /api/v1/invitations/{id} – withdraw an invitation (admin scope)
export const DELETE = apiDoor(revokeInvitationOp);
