import type { NextAuthOptions } from "next-auth";
import { getServerSession } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import GoogleProvider from "next-auth/providers/google";
import { boot } from "./boot";
import { env } from "./env";
import { authenticate, ensureOAuthMember } from "./services/auth/accounts";
import { getAuthSecret } from "./services/auth/auth-secret";
import { checkSignInAttempt } from "./services/auth/sign-in-limiter";

/** next-auth: e-mail + password always; GitHub and Google when their variables are set. */
export function authOptions(): NextAuthOptions {
  const config = env();
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      name: "E-mail",
      credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        const email = String(credentials?.email ?? "").toLowerCase();
        const ip = String((req?.headers as Record<string, string> | undefined)?.["x-forwarded-for"] ?? "local");
        checkSignInAttempt(email, ip); // throws after too many attempts
        const db = await boot();
        const member = await authenticate(db, email, String(credentials?.password ?? ""));
        return member ? { id: member.id, email: member.email, name: member.name } : null;
      },
    }),
  ];
  if (config.GITHUB_ID && config.GITHUB_SECRET) {
    providers.push(GitHubProvider({ clientId: config.GITHUB_ID, clientSecret: config.GITHUB_SECRET }));
  }
  if (config.GOOGLE_CLIENT_ID && config.GOOGLE_CLIENT_SECRET) {
    providers.push(GoogleProvider({ clientId: config.GOOGLE_CLIENT_ID, clientSecret: config.GOOGLE_CLIENT_SECRET }));
  }
  return {
    secret: getAuthSecret(),
    // Cookies are HttpOnly and SameSite=Lax (next-auth's defaults); Secure (and __Secure-
    // prefixed) whenever the dashboard is served over https.
    useSecureCookies: (config.TOKENIST_PUBLIC_URL ?? process.env.NEXTAUTH_URL ?? "").startsWith("https://"),
    session: { strategy: "jwt", maxAge: 30 * 24 * 3600 },
    pages: { signIn: "/sign-in" },
    providers,
    callbacks: {
      async signIn({ user, account }) {
        if (account?.provider === "credentials") return true;
        if (!user.email) return false;
        const db = await boot();
        const member = await ensureOAuthMember(db, { email: user.email, name: user.name ?? null });
        user.id = member.id;
        return true;
      },
      async jwt({ token, user }) {
        if (user) token.memberId = user.id;
        return token;
      },
      async session({ session, token }) {
        return { ...session, memberId: (token.memberId as string | undefined) ?? null };
      },
    },
  };
}

/** The signed-in member's id, in a server component or route handler. */
export async function currentMemberId(): Promise<string | null> {
  const session = (await getServerSession(authOptions())) as { memberId?: string | null } | null;
  return session?.memberId ?? null;
}
