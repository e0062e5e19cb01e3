import { boot } from "@/server/boot";
import { outcomeRedirect } from "@/server/http/sso-doors";
import { finishOidc } from "@/server/services/sso/sign-in";

export const dynamic = "force-dynamic";

// GET /api/sso/oidc/callback?code&state – the OpenID Connect redirect URI (one for every workspace: the state names the sign-in).
export async function GET(req: Request) {
  return outcomeRedirect(await finishOidc(await boot(), new URL(req.url).search));
}
