import { deleteSsoOp, getSsoOp, putSsoOp } from "@/server/http/api-v1/ops/admin";
import { apiDoor } from "@/server/http/doors";

export const dynamic = "force-dynamic";

// GET /api/v1/sso – the workspace's single sign-on (404 when none)
export const GET = apiDoor(getSsoOp);
// PUT /api/v1/sso – configure it (Enterprise, an owner's admin key): OIDC or SAML, domains, enforcement, roles
export const PUT = apiDoor(putSsoOp);
// DELETE /api/v1/sso – remove it
export const DELETE = apiDoor(deleteSsoOp);
