import { env } from "@/server/env";

/** Which OAuth providers the server offers (server components only). */
export function oauthProviders() {
  const e = env();
  return { github: Boolean(e.GITHUB_ID && e.GITHUB_SECRET), google: Boolean(e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET) };
}

/** Only same-site paths: an open redirect would send a fresh session anywhere. */
export function safeCallback(value: string | string[] | undefined, fallback = "/w"): string {
  const v = Array.isArray(value) ? value[0] : value;
  return v && v.startsWith("/") && !v.startsWith("//") && !v.startsWith("/\\") ? v : fallback;
}
