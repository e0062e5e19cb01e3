import { z } from "zod";
import { currentMemberId } from "@/server/auth";
import { boot } from "@/server/boot";
import { clientIp } from "@/server/http/client-ip";
import { toHttpError } from "@/server/http/errors";
import { takeSharedToken } from "@/server/http/rate-limit";
import { readJsonBody } from "@/server/http/read-body";
import { ssoCookie } from "@/server/http/sso-doors";
import { InvalidInputError, UnauthorizedError } from "@/server/services/errors";
import { startSso } from "@/server/services/sso/sign-in";

export const dynamic = "force-dynamic";

const ZStart = z.union([
  z.strictObject({ email: z.string().trim().max(320).pipe(z.email("Enter your work e-mail address")) }),
  z.strictObject({ test: z.literal(true), workspaceId: z.string().min(1).max(64) }),
]);

/** Sign-ins started per client address a minute (each one is a row until it expires). */
const STARTS_PER_MINUTE = 30;

// POST /api/sso/start – "Continue with SSO" ({ email }) or an owner's test from Settings ({ test, workspaceId }):
// → { url } of the identity provider, with the cookie that binds the sign-in to this browser.
export async function POST(req: Request) {
  try {
    // JSON only: a cross-site page cannot send it without a preflight we never grant, so no other site
    // can plant a sign-in's binding cookie in a visitor's browser (login CSRF).
    if (!/^application\/json\b/i.test(req.headers.get("content-type") ?? "")) {
      throw new InvalidInputError("Send the request as JSON (Content-Type: application/json)");
    }
    const db = await boot();
    await takeSharedToken(db, "sso-start", clientIp(req), STARTS_PER_MINUTE, "Too many sign-in attempts from this address: wait a minute");
    const parsed = ZStart.safeParse(await readJsonBody(req, 4096));
    if (!parsed.success) throw new InvalidInputError(parsed.error.issues[0]?.message ?? "Invalid request");
    let input: Parameters<typeof startSso>[1];
    if ("email" in parsed.data) {
      input = { email: parsed.data.email };
    } else {
      const memberId = await currentMemberId();
      if (!memberId) throw new UnauthorizedError("Sign in first to test single sign-on");
      input = { testWorkspaceId: parsed.data.workspaceId, testBy: memberId };
    }
    const { redirectUrl, requestId } = await startSso(db, input);
    return Response.json({ url: redirectUrl }, { headers: { "set-cookie": ssoCookie(requestId), "cache-control": "no-store" } });
  } catch (err) {
    return toHttpError(err);
  }
}
