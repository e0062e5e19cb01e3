import type { Profile } from "next-auth";
import GitHubProvider from "next-auth/providers/github";

/** The `error` code the sign-in page explains when a provider does not vouch for the e-mail. */
export const OAUTH_EMAIL_NOT_VERIFIED = "OAuthEmailNotVerified";

interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/**
 * GitHub, with the e-mail taken only from the account's primary address and only when GitHub
 * has verified it. next-auth 4's provider uses the public profile e-mail, or else the primary
 * one, without looking at `verified`: anyone can add victim@corp.com to a GitHub account.
 */
export function gitHubProvider(clientId: string, clientSecret: string) {
  return GitHubProvider({
    clientId,
    clientSecret,
    userinfo: {
      url: "https://api.github.com/user",
      async request({ client, tokens }: { client: { userinfo(token: string): Promise<unknown> }; tokens: { access_token?: string } }) {
        const profile = (await client.userinfo(tokens.access_token!)) as Record<string, unknown>;
        const primary = await primaryGitHubEmail(tokens.access_token!);
        const verified = primary?.verified === true;
        return { ...profile, email: verified ? primary!.email : null, email_verified: verified } as Profile;
      },
    },
  });
}

async function primaryGitHubEmail(accessToken: string): Promise<GitHubEmail | undefined> {
  const res = await fetch("https://api.github.com/user/emails", {
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/vnd.github+json", "user-agent": "Tokenist" },
  });
  if (!res.ok) return undefined;
  const emails: unknown = await res.json();
  return Array.isArray(emails) ? (emails as GitHubEmail[]).find((e) => e?.primary === true) : undefined;
}

/**
 * The e-mail a provider's raw profile vouches for. Google's ID token says so in
 * `email_verified`; for GitHub, `gitHubProvider` sets it after checking `/user/emails`.
 * Anything but a literal `true` (absent, "true", 1) is unverified.
 */
export function providerEmail(profile: unknown): { email: string; emailVerified: boolean } | null {
  const p = (profile ?? {}) as { email?: unknown; email_verified?: unknown };
  if (typeof p.email !== "string" || !p.email) return null;
  return { email: p.email, emailVerified: p.email_verified === true };
}
