import { publicUrl } from "@/server/lib/public-url";
import { SSO_COOKIE, SSO_REQUEST_TTL_MS, type SsoOutcome } from "@/server/services/sso/sign-in";

/** The binding cookie: HttpOnly, SameSite=Lax (the callbacks' redirects are top-level GETs), Secure over https. */
export function ssoCookie(requestId: string): string {
  const secure = publicUrl().startsWith("https://") ? "; Secure" : "";
  return `${SSO_COOKIE}=${requestId}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SSO_REQUEST_TTL_MS / 1000}${secure}`;
}

/** The request id in a Cookie header, if any. */
export function ssoCookieValue(cookieHeader: string | null | undefined): string | null {
  for (const part of (cookieHeader ?? "").split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === SSO_COOKIE) return rest.join("=") || null;
  }
  return null;
}

/**
 * Where the browser goes after a callback: the sign-in's completion page with its one-time ticket,
 * Settings after a test, or the completion page naming the refusal (its text is read from the
 * request's row, never from the URL). Always our own configured origin.
 */
export function outcomeRedirect(outcome: SsoOutcome): Response {
  const base = publicUrl();
  const go = (path: string) => new Response(null, { status: 303, headers: { location: `${base}${path}`, "cache-control": "no-store" } });
  if (outcome.kind === "signed_in") return go(`/sso/complete?ticket=${outcome.ticket}&workspace=${outcome.workspaceId}`);
  if (outcome.kind === "tested") return go(`/w/${outcome.workspaceId}/settings?sso=tested#sso`);
  if (outcome.testWorkspaceId) return go(`/w/${outcome.testWorkspaceId}/settings?sso=tested#sso`);
  return go(outcome.requestId ? `/sso/complete?refused=${outcome.requestId}` : "/sso/complete?refused=expired");
}
