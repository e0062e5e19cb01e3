import type { NextAuthOptions } from "next-auth";
import { getServerSession } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GoogleProvider from "next-auth/providers/google";
import { boot } from "./boot";
import { env } from "./env";
import { clientIp } from "./http/client-ip";
import { log } from "./lib/log";
import { authenticate, currentSessionVersion, ensureOAuthMember } from "./services/auth/accounts";
import { getAuthSecret } from "./services/auth/auth-secret";
import { normaliseEmail } from "./services/auth/normalise-email";
import { gitHubProvider, OAUTH_EMAIL_NOT_VERIFIED, providerEmail } from "./services/auth/oauth-providers";
import { takeSignInAttempt } from "./services/auth/sign-in-limiter";
import { ForbiddenError } from "./services/errors";
import { consumeSsoTicket, enforcedSsoRefusal, SSO_ENFORCED } from "./services/sso/sign-in";
import { ssoCookieValue } from "./http/sso-doors";

/** A password sign-in refused because the e-mail's domain must use SSO: its message reaches the form. */
class SsoEnforcedError extends Error {}

/** What authorize and the OAuth signIn callback hand the jwt callback. */
interface SignedInUser {
  id: string;
  sessionVersion?: number;
}

/** next-auth: e-mail + password always; GitHub and Google when their variables are set. */
export function authOptions(): NextAuthOptions {
  const config = env();
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      name: "E-mail",
      credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        // The limiter counts the very spelling authenticate looks up, and the address the trusted
        // proxies saw; it throws after too many attempts (the message reaches the form).
        const email = normaliseEmail(credentials?.email);
        const attempt = await takeSignInAttempt(boot(), email, clientIp({ headers: req?.headers ?? {} }));
        try {
          const member = await authenticate(await boot(), email, String(credentials?.password ?? ""));
          if (!member) return null;
          await attempt.succeeded();
          // Told only to whoever knows the password: the domain's SSO is enforced (owners keep this way in).
          const refusal = await enforcedSsoRefusal(await boot(), member.email, "password");
          if (refusal) throw new SsoEnforcedError(refusal);
          return { id: member.id, email: member.email, name: member.name, sessionVersion: member.sessionVersion };
        } catch (err) {
          if (err instanceof SsoEnforcedError) throw err;
          // next-auth puts a thrown message in the redirect URL: never a database's.
          log.error("credentials sign-in failed", { err });
          throw new Error("Sign-in is unavailable right now. Try again shortly.");
        }
      },
    }),
    // Single sign-on's last step: the one-time ticket the OIDC callback or SAML ACS issued
    // (server/services/sso/sign-in.ts), in the browser whose cookie names the same sign-in.
    CredentialsProvider({
      id: "sso",
      name: "Single sign-on",
      credentials: { ticket: { label: "Ticket", type: "text" } },
      async authorize(credentials, req) {
        const headers = (req?.headers ?? {}) as Record<string, string | undefined>;
        const member = await consumeSsoTicket(await boot(), String(credentials?.ticket ?? ""), ssoCookieValue(headers.cookie));
        return member ? { id: member.id, email: member.email, name: member.name, sessionVersion: member.sessionVersion } : null;
      },
    }),
  ];
  if (config.GITHUB_ID && config.GITHUB_SECRET) {
    providers.push(gitHubProvider(config.GITHUB_ID, config.GITHUB_SECRET));
  }
  if (config.GOOGLE_CLIENT_ID && config.GOOGLE_CLIENT_SECRET) {
    providers.push(GoogleProvider({ clientId: config.GOOGLE_CLIENT_ID, clientSecret: config.GOOGLE_CLIENT_SECRET }));
  }
  return {
    secret: getAuthSecret(),
    // Cookies are HttpOnly and SameSite=Lax (next-auth's defaults); Secure (and __Secure-
    // prefixed) whenever the dashboard is served over https.
    useSecureCookies: (config.TOKENIST_PUBLIC_URL ?? config.NEXTAUTH_URL ?? "").startsWith("https://"),
    session: { strategy: "jwt", maxAge: 30 * 24 * 3600 },
    // Errors land on the sign-in page too, which explains the codes it knows (OAuthEmailNotVerified).
    pages: { signIn: "/sign-in", error: "/sign-in" },
    providers,
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider === "credentials" || account?.provider === "sso") return true;
        // An OAuth sign-in finds (or creates) the member by e-mail, so it must be an address the
        // provider has verified; otherwise refuse, whether or not a member has it (no oracle).
        const claim = providerEmail(profile);
        if (!claim?.emailVerified) throw new Error(OAUTH_EMAIL_NOT_VERIFIED);
        if (await enforcedSsoRefusal(await boot(), claim.email, "social")) throw new Error(SSO_ENFORCED);
        try {
          const member = await ensureOAuthMember(await boot(), { ...claim, name: user.name ?? null, provider: account?.provider });
          user.id = member.id;
          (user as SignedInUser).sessionVersion = member.sessionVersion;
          return true;
        } catch (err) {
          if (err instanceof ForbiddenError) throw new Error(OAUTH_EMAIL_NOT_VERIFIED);
          log.error("OAuth sign-in failed", { err, provider: account?.provider });
          throw new Error("OAuthCallback"); // next-auth's own code: a generic message, no database text in the URL
        }
      },
      async jwt({ token, user }) {
        if (user) {
          token.memberId = user.id;
          token.sessionVersion = (user as SignedInUser).sessionVersion ?? 0;
          return token;
        }
        // Every request that reads the session: a member whose sessionVersion moved on (their
        // e-mail was taken over by its verified owner) or who is gone is signed out. Tokens from
        // before sessionVersion existed count as version 0.
        if (typeof token.memberId !== "string") return {};
        const current = await currentSessionVersion(await boot(), token.memberId);
        return current !== null && current === (token.sessionVersion ?? 0) ? token : {};
      },
      async session({ session, token }) {
        // An emptied token (above) is no session at all: getServerSession and /api/auth/session answer null.
        if (typeof token.memberId !== "string") return {} as typeof session;
        return { ...session, memberId: token.memberId };
      },
    },
  };
}

/** The signed-in member's id, in a server component or route handler. */
export async function currentMemberId(): Promise<string | null> {
  const session = (await getServerSession(authOptions())) as { memberId?: string | null } | null;
  return session?.memberId ?? null;
}
