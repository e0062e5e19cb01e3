import { env } from "@/server/env";
import { OAUTH_EMAIL_NOT_VERIFIED } from "@/server/services/auth/oauth-providers";
import { SSO_ENFORCED } from "@/server/services/sso/sign-in";

/** Which OAuth providers the server offers (server components only). */
export function oauthProviders() {
  const e = env();
  return { github: Boolean(e.GITHUB_ID && e.GITHUB_SECRET), google: Boolean(e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET) };
}

// Any origin would do: only whether a value stays on it matters.
const PROBE_ORIGIN = "https://tokenist.invalid";

/**
 * Only same-origin paths: an open redirect would send a fresh session anywhere. Browsers drop
 * tabs and newlines and read "\" as "/" when parsing a URL, so "/\t/evil.example" and
 * "/\evil.example" both leave the site: anything below U+0020 (and DEL) or with a backslash is
 * refused outright, and the rest must still resolve to our own origin. The path is returned as
 * the URL parser wrote it (dot segments resolved), so what we checked is what the browser follows.
 */
export function safeCallback(value: string | string[] | undefined, fallback = "/w"): string {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v?.startsWith("/") || v.startsWith("//") || /[\u0000-\u001f\u007f\\]/.test(v)) return fallback;
  let url: URL;
  try {
    url = new URL(v, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  // "/..//evil.example" resolves to the path "//evil.example", which would leave the site once
  // handed on; refuse it rather than return it.
  return url.origin === PROBE_ORIGIN && !path.startsWith("//") ? path : fallback;
}

/** The sign-in page's text for next-auth's `error` query value (unknown codes get a generic one). */
export function signInErrorMessage(code: string | string[] | undefined): string | null {
  const c = Array.isArray(code) ? code[0] : code;
  if (!c) return null;
  if (c === OAUTH_EMAIL_NOT_VERIFIED) {
    return "GitHub or Google did not confirm that this e-mail address is verified, so we cannot sign you in with it. Verify your primary e-mail address there and try again, or sign in with your password.";
  }
  if (c === SSO_ENFORCED) {
    return 'Your organisation signs in with single sign-on: choose "Use single sign-on (SSO)" and enter your work e-mail address.';
  }
  return "Sign-in failed. Try again.";
}
