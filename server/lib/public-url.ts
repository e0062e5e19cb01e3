import { env } from "@/server/env";

/**
 * The dashboard's public address, without a trailing slash: TOKENIST_PUBLIC_URL, else NEXTAUTH_URL,
 * else this server's own port. Every link we hand out (e-mailed verification links, invitation
 * links, SSO callbacks) is built from it, never from a request's Host: a forged Host would send a
 * token or an identity provider's answer to someone else's server.
 */
export function publicUrl(): string {
  const { TOKENIST_PUBLIC_URL, NEXTAUTH_URL, PORT } = env();
  return (TOKENIST_PUBLIC_URL ?? NEXTAUTH_URL ?? `http://localhost:${PORT}`).replace(/\/+$/, "");
}
