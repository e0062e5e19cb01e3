import { boot } from "@/server/boot";
import { toHttpError } from "@/server/http/errors";
import { outcomeRedirect } from "@/server/http/sso-doors";
import { InvalidInputError, PayloadTooLargeError } from "@/server/services/errors";
import { finishSaml } from "@/server/services/sso/sign-in";

export const dynamic = "force-dynamic";

/** A signed assertion with a few hundred groups is well under this. */
const MAX_FORM_BYTES = 512 * 1024;

// POST /api/sso/saml/acs – the SAML assertion consumer service (HTTP-POST binding: SAMLResponse, RelayState).
export async function POST(req: Request) {
  try {
    if (Number(req.headers.get("content-length") ?? 0) > MAX_FORM_BYTES) throw new PayloadTooLargeError("The SAML response is too large");
    const text = await req.text();
    if (text.length > MAX_FORM_BYTES) throw new PayloadTooLargeError("The SAML response is too large");
    const form = new URLSearchParams(text);
    const samlResponse = form.get("SAMLResponse");
    if (!samlResponse) throw new InvalidInputError("SAMLResponse is missing: the identity provider must POST it here");
    return outcomeRedirect(await finishSaml(await boot(), { samlResponse, relayState: form.get("RelayState") ?? "" }));
  } catch (err) {
    return toHttpError(err);
  }
}
