import { apiDoor } from "@/server/http/doors";
import { createInvitationOp, listInvitationsOp } from "@/server/http/api-v1/ops/admin";

export const dynamic = "force-dynamic";

// GET /api/v1/invitations – pending invitations (admin scope)
export const GET = apiDoor(listInvitationsOp);
// POST /api/v1/invitations – invite by e-mail with a role; the link is in this answer only (admin scope)
export const POST = apiDoor(createInvitationOp);
